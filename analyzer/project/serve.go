package project

import (
	"encoding/json"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file reads how the project is served: the commands its Dockerfiles
// (CMD, ENTRYPOINT), docker compose files (a service's command and
// entrypoint), Procfile and start-up scripts run. Nothing is executed; the
// files are read as text (compose files as YAML).

// ServeCommand is one command a container, a process manager or a
// start-up script of the project runs that starts a web server.
type ServeCommand struct {
	// Rel is the file's path relative to the analysed root, '/'-separated,
	// and Line the command's line in it (1-based).
	Rel  string
	Line int
	// Text is the command as written, on one line.
	Text string
	// Server is "runserver" for Django's development server (manage.py or
	// django-admin runserver, runserver_plus), else the production server
	// it starts (gunicorn, uvicorn, daphne, uwsgi, hypercorn...).
	Server string
	// Where says what runs it: "CMD", "ENTRYPOINT", "the `web` service",
	// "a start-up script", "Procfile".
	Where string
	// Dev is set when the file is named for development (a compose
	// override, Dockerfile.dev, docker-compose.local.yml, start-dev.sh).
	Dev bool
	// Image is, for a compose service that builds its image from the
	// repository (`build:`), the Dockerfile it builds, relative to the
	// root: the service's command replaces that Dockerfile's CMD. A service
	// that builds one and sets no command runs the Dockerfile's own: its
	// Server is ImageCommand.
	Image string `json:",omitempty"`
}

// ImageCommand is the Server of a compose service that builds an image from
// the repository and sets no command or entrypoint: it runs the image's
// own CMD, read from the Dockerfile named by Image.
const ImageCommand = "image"

// productionServers are the WSGI and ASGI servers a deployment runs.
var productionServers = map[string]bool{"gunicorn": true, "uvicorn": true, "daphne": true, "uwsgi": true,
	"hypercorn": true, "waitress-serve": true, "granian": true, "mod_wsgi-express": true, "bjoern": true}

// serverOf returns the server a shell command starts, if any (see
// ServeCommand.Server).
func serverOf(command string) string {
	fields := strings.FieldsFunc(command, func(r rune) bool {
		switch r {
		case ' ', '\t', '\n', '\r', ';', '&', '|', '(', ')', '`', '"', '\'', '[', ']', ',':
			return true
		}
		return false
	})
	django := false
	for _, f := range fields {
		base := path.Base(f)
		switch {
		case base == "manage.py" || base == "django-admin" || base == "django-admin.py":
			django = true
		case django && (f == "runserver" || f == "runserver_plus"):
			return "runserver"
		case productionServers[base]:
			return base
		}
	}
	return ""
}

// devNameWords mark a file meant for development only.
var devNameWords = []string{"dev", "local", "override", "test", "debug"}

// devFileName reports a file named for development, or kept in a directory
// named so (`docker/dev/django/entrypoint.sh`, `compose/local/start`): a
// development setup beside whatever deploys the project.
func devFileName(rel string) bool {
	parts := strings.Split(strings.ToLower(rel), "/")
	for i, part := range parts {
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '.' || r == '-' || r == '_' }) {
			for _, d := range devNameWords {
				if i < len(parts)-1 && d == "override" {
					continue // a directory of overrides says nothing of development
				}
				if w == d || w == d+"elopment" {
					return true
				}
			}
		}
	}
	return false
}

// devPhrases, in a file's leading comments, say it is for development
// ("This Dockerfile is intended solely for local development").
var devPhrases = []string{"local development", "development only", "for development", "development purposes",
	"dev only", "for dev ", "for local dev", "not for production", "not meant for production", "not intended for production"}

// devHeader reports a file whose leading comment lines (a shebang and
// blank lines skipped) say it is meant for development.
func devHeader(text string) bool {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "" || strings.HasPrefix(t, "#!"):
			continue
		case strings.HasPrefix(t, "#"):
			b.WriteString(strings.ToLower(t) + " ")
			continue
		}
		break
	}
	h := b.String()
	for _, p := range devPhrases {
		if strings.Contains(h, p) {
			return true
		}
	}
	return false
}

// isDockerfile, isComposeFile, isProcfile and isStartScript name the files
// serving commands are read from.
func isDockerfile(base string) bool {
	return base == "dockerfile" || strings.HasPrefix(base, "dockerfile.") || strings.HasSuffix(base, ".dockerfile")
}

func isComposeFile(base string) bool {
	ext := path.Ext(base)
	return (ext == ".yml" || ext == ".yaml") && (strings.HasPrefix(base, "docker-compose") || strings.HasPrefix(base, "compose"))
}

func isProcfile(base string) bool { return base == "procfile" }

// startScriptWords mark a shell script that starts the service.
var startScriptWords = []string{"entrypoint", "start", "run", "boot", "serve", "launch", "docker"}

func isStartScript(base string) bool {
	if path.Ext(base) != ".sh" {
		return false
	}
	for _, w := range startScriptWords {
		if strings.Contains(base, w) {
			return true
		}
	}
	return false
}

// isServeFile reports a file serving commands are read from.
func isServeFile(rel string) bool {
	base := strings.ToLower(path.Base(rel))
	return isDockerfile(base) || isComposeFile(base) || isProcfile(base) || isStartScript(base) || isGunicornConfig(base)
}

// isGunicornConfig reports a Python module named for gunicorn
// (`gunicorn.conf.py`, `gunicorn_settings.py`, `gunicorn_config.py`): a
// configuration file `gunicorn -c` reads.
func isGunicornConfig(base string) bool {
	return strings.HasPrefix(base, "gunicorn") && path.Ext(base) == ".py"
}

// gunicornConfigCommands reads a gunicorn configuration module: the first
// top-level assignment of a server setting (`workers`, `bind`,
// `worker_class`) says the deployment serves the project with gunicorn
// configured by it, whatever the repository's own image runs. A module
// named for gunicorn that sets none of them (a helper) configures nothing.
func gunicornConfigCommands(text string) []ServeCommand {
	for i, line := range strings.Split(text, "\n") {
		name, _, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			continue
		}
		switch strings.TrimSpace(name) {
		case "workers", "bind", "worker_class":
			return []ServeCommand{{Line: i + 1, Text: strings.TrimSpace(line), Server: "gunicorn", Where: "a gunicorn configuration"}}
		}
	}
	return nil
}

// serveFrom reads the serving commands of the files rels (relative to root,
// in path order).
func serveFrom(root string, rels []string) []ServeCommand {
	var out []ServeCommand
	for _, rel := range rels {
		text := ReadText(filepath.Join(root, filepath.FromSlash(rel)))
		base := strings.ToLower(path.Base(rel))
		var cmds []ServeCommand
		switch {
		case isDockerfile(base):
			cmds = dockerfileCommands(text)
		case isComposeFile(base):
			cmds = composeCommands(text)
			for i := range cmds {
				if cmds[i].Image != "" {
					cmds[i].Image = path.Clean(path.Join(path.Dir(rel), cmds[i].Image))
				}
			}
		case isProcfile(base):
			cmds = procfileCommands(text)
		case isGunicornConfig(base):
			cmds = gunicornConfigCommands(text)
		default:
			cmds = scriptCommands(text)
		}
		dev := devFileName(rel) || devHeader(text)
		for _, c := range cmds {
			if c.Server == "" {
				continue
			}
			c.Rel, c.Dev = rel, dev
			out = append(out, c)
		}
	}
	return out
}

// dockerfileCommands reads the CMD and ENTRYPOINT a Dockerfile's final
// stage runs (the last of each; a stage built FROM an earlier one inherits
// its), in exec form (a JSON array) or shell form, lines continued with a
// backslash joined. When neither alone starts a server, the two together
// (an ENTRYPOINT of `./manage.py` and a CMD of `runserver`) are read at the
// CMD.
func dockerfileCommands(text string) []ServeCommand {
	type stage map[string]ServeCommand
	stages := map[string]stage{}
	cur := stage{}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		start := i
		line := strings.TrimSpace(strings.TrimRight(lines[i], "\r"))
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(strings.TrimRight(lines[i], "\r"))
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		word, arg, _ := strings.Cut(line, " ")
		switch kw := strings.ToUpper(word); kw {
		case "FROM":
			var image, name string
			fields := strings.Fields(arg)
			for k := 0; k < len(fields); k++ {
				switch {
				case strings.HasPrefix(fields[k], "--"):
				case strings.EqualFold(fields[k], "as") && k+1 < len(fields):
					name = strings.ToLower(fields[k+1])
					k++
				case image == "":
					image = strings.ToLower(fields[k])
				}
			}
			cur = stage{}
			for k, v := range stages[image] { // a stage built on an earlier one inherits what it runs
				cur[k] = v
			}
			if name != "" {
				stages[name] = cur
			}
		case "CMD", "ENTRYPOINT":
			arg = strings.TrimSpace(arg)
			var argv []string
			if strings.HasPrefix(arg, "[") && json.Unmarshal([]byte(arg), &argv) == nil {
				arg = strings.Join(argv, " ")
			}
			arg = strings.Join(strings.Fields(arg), " ")
			cur[kw] = ServeCommand{Line: start + 1, Text: arg, Server: serverOf(arg), Where: kw}
		}
	}
	var out []ServeCommand
	for _, kw := range []string{"ENTRYPOINT", "CMD"} {
		if c, ok := cur[kw]; ok {
			out = append(out, c)
		}
	}
	e, okE := cur["ENTRYPOINT"]
	c, okC := cur["CMD"]
	if okE && okC && e.Server == "" && c.Server == "" {
		both := e.Text + " " + c.Text
		out = append(out, ServeCommand{Line: c.Line, Text: both, Server: serverOf(both), Where: "CMD"})
	}
	return out
}

// composeCommands reads the command and entrypoint of each service of a
// docker compose file (a string or a list), in file order.
func composeCommands(text string) []ServeCommand {
	var doc yaml.Node
	if yaml.Unmarshal([]byte(text), &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	services := mappingValue(doc.Content[0], "services")
	if services == nil || services.Kind != yaml.MappingNode {
		return nil
	}
	var out []ServeCommand
	for i := 0; i+1 < len(services.Content); i += 2 {
		name, svc := services.Content[i].Value, services.Content[i+1]
		image := builtDockerfile(mappingValue(svc, "build"))
		set := false
		for _, key := range []string{"entrypoint", "command"} {
			v := mappingValue(svc, key)
			if v == nil {
				continue
			}
			set = true
			var cmd string
			switch v.Kind {
			case yaml.ScalarNode:
				cmd = v.Value
			case yaml.SequenceNode:
				var parts []string
				for _, p := range v.Content {
					parts = append(parts, p.Value)
				}
				cmd = strings.Join(parts, " ")
			}
			cmd = strings.Join(strings.Fields(cmd), " ")
			out = append(out, ServeCommand{Line: v.Line, Text: cmd, Server: serverOf(cmd), Where: "the `" + name + "` service", Image: image})
		}
		if !set && image != "" {
			out = append(out, ServeCommand{Line: services.Content[i].Line, Server: ImageCommand, Where: "the `" + name + "` service", Image: image})
		}
	}
	return out
}

// builtDockerfile returns the Dockerfile a service's `build:` builds,
// relative to the compose file's directory: `build: ./app` builds
// app/Dockerfile, `build: {context: ., dockerfile: Dockerfile.prod}`
// Dockerfile.prod. "" without a build, or one from a remote context.
func builtDockerfile(b *yaml.Node) string {
	if b == nil {
		return ""
	}
	ctx, file := "", "Dockerfile"
	switch b.Kind {
	case yaml.ScalarNode:
		ctx = b.Value
	case yaml.MappingNode:
		if c := mappingValue(b, "context"); c != nil {
			ctx = c.Value
		}
		if d := mappingValue(b, "dockerfile"); d != nil && d.Value != "" {
			file = d.Value
		}
	default:
		return ""
	}
	if ctx == "" {
		ctx = "."
	}
	if strings.Contains(ctx, "://") || strings.HasPrefix(ctx, "git@") {
		return ""
	}
	return path.Join(ctx, file)
}

// mappingValue returns the value under key of a YAML mapping, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// procfileCommands reads a Procfile's `process: command` lines.
func procfileCommands(text string) []ServeCommand {
	var out []ServeCommand
	for i, line := range strings.Split(text, "\n") {
		name, cmd, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || strings.HasPrefix(name, "#") {
			continue
		}
		cmd = strings.TrimSpace(cmd)
		out = append(out, ServeCommand{Line: i + 1, Text: cmd, Server: serverOf(cmd), Where: "Procfile"})
	}
	return out
}

// scriptCommands reads the lines of a start-up shell script, comments
// left out.
func scriptCommands(text string) []ServeCommand {
	var out []ServeCommand
	for i, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(strings.TrimRight(line, "\r"))
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		if j := strings.Index(t, " #"); j >= 0 {
			t = strings.TrimSpace(t[:j])
		}
		out = append(out, ServeCommand{Line: i + 1, Text: t, Server: serverOf(t), Where: "a start-up script"})
	}
	return out
}

// Serving returns the serving commands of the analysed tree (at the root
// of its first file's tree), read once.
func (ix *Index) Serving() []ServeCommand {
	sh := ix.shared
	sh.serveOnce.Do(func() {
		if root, ok := ix.treeRoot(); ok {
			sh.serve = serveFrom(root, ix.outsideListing(root).serve)
		}
	})
	return sh.serve
}
