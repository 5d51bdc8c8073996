package design

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

//go:embed devserver.md
var devServerDoc string

// DevServerDeployed reports a project whose container, process file or
// start-up script serves it with Django's development server and that
// configures no production server anywhere.
var DevServerDeployed = &analyzer.Rule{
	Code:       "ARC009",
	Name:       "dev-server-deployed",
	Doc:        devServerDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Info,
	Confidence: analyzer.High,
	Since:      "0.20.0",
	Stack:      project.Django,
	RunProject: runDevServerDeployed,
}

// runDevServerDeployed reads the serving commands of the tree
// (project.Index.Serving: Dockerfiles' CMD and ENTRYPOINT, compose
// services' command and entrypoint, Procfile, start-up scripts). When one
// runs `manage.py runserver` in a file not named for development, and no
// file of the tree starts a production server (gunicorn, uvicorn, daphne,
// uwsgi...), the project is served by the development server wherever it
// runs: one finding, at the first such command (Dockerfiles first), the
// others related.
func runDevServerDeployed(p *analyzer.ProjectPass) error {
	ix := p.Project
	var dev, images []project.ServeCommand
	built := map[string][]project.ServeCommand{} // Dockerfile -> services overriding its CMD with runserver
	for _, c := range ix.Serving() {
		switch {
		case c.Server == project.ImageCommand:
			images = append(images, c)
			continue
		case c.Server != "runserver" && !c.Dev && (c.Where == "CMD" || c.Where == "ENTRYPOINT"):
			images = append(images, c) // judged below: is it ever the path taken?
			continue
		case c.Server != "runserver":
			return nil // a production server is configured: runserver is the development path
		}
		if !c.Dev {
			dev = append(dev, c)
			if c.Image != "" {
				built[c.Image] = append(built[c.Image], c)
			}
		}
	}
	if len(dev) == 0 {
		return nil
	}
	// A Dockerfile's production CMD is the development path's rival only
	// when something runs it: no compose service building it keeps it
	// (ImageCommand), and some service building it overrides it with
	// runserver. A Dockerfile no compose service builds, or one a
	// development-named file builds, is deployed some other way.
	var overridden []project.ServeCommand
	for _, c := range images {
		if c.Server == project.ImageCommand {
			continue
		}
		if len(built[c.Rel]) == 0 {
			return nil
		}
		for _, k := range images {
			if k.Server == project.ImageCommand && k.Image == c.Rel && !k.Dev {
				return nil // a service runs the image's own CMD
			}
		}
		overridden = append(overridden, c)
	}
	if len(overridden) > 0 {
		reportOverridden(p, overridden[0], built[overridden[0].Rel])
		return nil
	}
	rank := func(c project.ServeCommand) int {
		switch {
		case c.Where == "CMD" || c.Where == "ENTRYPOINT":
			return 0
		case strings.HasPrefix(c.Where, "the `"):
			return 1
		}
		return 2
	}
	first := 0
	for i, c := range dev {
		if rank(c) < rank(dev[first]) {
			first = i
		}
	}
	var related []analyzer.Related
	for i, c := range dev {
		if i != first {
			related = append(related, analyzer.Related{Path: ix.DisplayPath(c.Rel), Pos: source.Position{Line: c.Line, Column: 1, Column16: 1},
				EndPos: source.Position{Line: c.Line, Column: 1, Column16: 1}, Message: fmt.Sprintf("%s runs `%s` too", servedBy(c), pyast.OneLineText(c.Text, 80))})
		}
	}
	c := dev[first]
	wsgi := "config.wsgi"
	for _, u := range ix.Units {
		if strings.HasSuffix(u.Module, ".wsgi") && !strings.Contains(u.Module, "test") {
			wsgi = u.Module
			break
		}
	}
	p.Report(analyzer.Diagnostic{
		Path:   ix.DisplayPath(c.Rel),
		Pos:    source.Position{Line: c.Line, Column: 1, Column16: 1},
		EndPos: source.Position{Line: c.Line, Column: 1, Column16: 1},
		Message: fmt.Sprintf("%s serves the project with `%s`, Django's development server, and nothing in the repository starts a production server: it is one process that reloads on file changes, was never audited for security or load, and serves static files only with DEBUG on",
			servedBy(c), pyast.OneLineText(c.Text, 80)),
		Help:    fmt.Sprintf("serve it with a WSGI server (`gunicorn %s:application --bind 0.0.0.0:8000 --workers 3`, gunicorn in the requirements) and keep runserver for development (a docker-compose.override.yml)", wsgi),
		Related: related,
	})
	return nil
}

// servedBy says what runs a command: "the Dockerfile's CMD", "the `web`
// service", "a start-up script".
func servedBy(c project.ServeCommand) string {
	switch c.Where {
	case "CMD", "ENTRYPOINT":
		return "the Dockerfile's " + c.Where
	case "Procfile":
		return "the Procfile"
	}
	return c.Where
}

// reportOverridden reports a Dockerfile whose production CMD every compose
// service building it replaces with runserver: the repository's way to run
// the project never reaches the production server.
func reportOverridden(p *analyzer.ProjectPass, cmd project.ServeCommand, services []project.ServeCommand) {
	ix := p.Project
	c := services[0]
	var related []analyzer.Related
	related = append(related, analyzer.Related{Path: ix.DisplayPath(cmd.Rel), Pos: source.Position{Line: cmd.Line, Column: 1, Column16: 1},
		EndPos: source.Position{Line: cmd.Line, Column: 1, Column16: 1}, Message: fmt.Sprintf("the production server the service replaces: `%s`", pyast.OneLineText(cmd.Text, 80))})
	for _, s := range services[1:] {
		related = append(related, analyzer.Related{Path: ix.DisplayPath(s.Rel), Pos: source.Position{Line: s.Line, Column: 1, Column16: 1},
			EndPos: source.Position{Line: s.Line, Column: 1, Column16: 1}, Message: fmt.Sprintf("%s runs `%s` too", servedBy(s), pyast.OneLineText(s.Text, 80))})
	}
	p.Report(analyzer.Diagnostic{
		Path:   ix.DisplayPath(c.Rel),
		Pos:    source.Position{Line: c.Line, Column: 1, Column16: 1},
		EndPos: source.Position{Line: c.Line, Column: 1, Column16: 1},
		Message: fmt.Sprintf("%s serves the project with `%s`, Django's development server, replacing the `%s` of `%s`, the image it builds, and nothing else runs that image: the production server is never the path taken, and runserver is one process that reloads on file changes, was never audited for security or load, and serves static files only with DEBUG on",
			servedBy(c), pyast.OneLineText(c.Text, 80), serverName(cmd), cmd.Rel),
		Help:    "drop the service's command so it runs the image's production server, and keep runserver for development in a docker-compose.override.yml",
		Related: related,
	})
}

// serverName names a production command's server: "gunicorn CMD".
func serverName(c project.ServeCommand) string { return c.Server + " " + c.Where }
