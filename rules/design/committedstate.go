package design

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/source"
	"github.com/rubric-dev/rubric/rules/internal/prose"
)

//go:embed committedstate.md
var committedStateDoc string

// CommittedLocalState reports the files a developer's machine makes that
// the repository holds: a SQLite database, a virtualenv, compiled
// bytecode, log files, Celery beat's schedule.
var CommittedLocalState = &analyzer.Rule{
	Code:       "ARC008",
	Name:       "committed-local-state",
	Doc:        committedStateDoc,
	Category:   analyzer.Design,
	Severity:   analyzer.Warning,
	Confidence: analyzer.Medium,
	Since:      "0.20.0",
	RunProject: runCommittedLocalState,
}

// artefactOrder is the order artefacts are named in: what a reviewer
// raises first.
var artefactOrder = []project.ArtefactKind{project.Database, project.Virtualenv, project.BeatSchedule, project.LogFile, project.Bytecode}

// runCommittedLocalState reads the local artefacts of the tree
// (project.Index.Artefacts: in a git checkout, those git tracks; in a tree
// that is no checkout, an archive of one, every one found) and reports
// them in one finding, at the first database, else virtualenv, schedule,
// log, bytecode. Bytecode and logs alone are worth a line (info).
func runCommittedLocalState(p *analyzer.ProjectPass) error {
	ix := p.Project
	byKind := map[project.ArtefactKind][]project.Artefact{}
	tracked := false
	for _, a := range ix.Artefacts() {
		if a.Git == project.GitUntracked {
			continue // the developer's own, never committed
		}
		byKind[a.Kind] = append(byKind[a.Kind], a)
		tracked = tracked || a.Git == project.GitTracked
	}
	var first *project.Artefact
	var names []string
	var related []analyzer.Related
	for _, k := range artefactOrder {
		as := byKind[k]
		if len(as) == 0 {
			continue
		}
		names = append(names, describeArtefacts(k, as))
		for i := range as {
			if first == nil {
				first = &as[i]
				continue
			}
			related = append(related, analyzer.Related{Path: artefactPath(ix, as[i]), Message: artefactNoun(k, as[i]) + ", in the repository too"})
		}
	}
	if first == nil || len(byKind) == 1 && len(byKind[project.Bytecode]) > 0 {
		return nil // compiled bytecode alone is a nit for the .gitignore, not a finding
	}
	sev := analyzer.Severity(0)
	if len(byKind[project.Database]) == 0 && len(byKind[project.Virtualenv]) == 0 {
		sev = analyzer.Info
	}
	conf := analyzer.Confidence(0)
	where := "in the repository"
	if tracked {
		conf, where = analyzer.High, "committed to git"
	}
	var why []string
	if len(byKind[project.Database]) > 0 {
		why = append(why, "a database holds whatever accounts and data were made while developing and drifts from the migrations")
	}
	if len(byKind[project.Virtualenv]) > 0 {
		why = append(why, "a virtualenv is one machine's interpreter and packages, unusable on another")
	}
	if len(why) == 0 {
		why = append(why, "they change on every run and say nothing about the code")
	}
	var rm []string
	n := 0
	for _, k := range artefactOrder {
		for _, a := range byKind[k] {
			n++
			if len(rm) < 3 {
				rm = append(rm, a.Rel)
			}
		}
	}
	them := "them"
	if n == 1 {
		them = "it"
	}
	help := fmt.Sprintf("remove %s from the repository (`git rm -r --cached %s`) and list %s in .gitignore", them, strings.Join(rm, " "), them)
	var makes []string
	if len(byKind[project.Database]) > 0 {
		makes = append(makes, "`python manage.py migrate` makes the database on each machine")
	}
	if len(byKind[project.Virtualenv]) > 0 {
		makes = append(makes, "`pip install -r requirements.txt` makes the environment")
	}
	if len(makes) > 0 {
		help += ": " + strings.Join(makes, ", ")
	}
	p.Report(analyzer.Diagnostic{
		Path:       artefactPath(ix, *first),
		Pos:        source.Position{Line: 1, Column: 1, Column16: 1},
		EndPos:     source.Position{Line: 1, Column: 1, Column16: 1},
		Severity:   sev,
		Confidence: conf,
		Message:    fmt.Sprintf("%s %s %s: local state of a developer's machine, not source (%s)", prose.JoinAnd(names), isAre(n), where, strings.Join(why, "; ")),
		Help:       help,
		Related:    related,
	})
	return nil
}

// describeArtefacts names the artefacts of one kind: each database,
// virtualenv, schedule and log by its path (the first three), bytecode by
// count.
func describeArtefacts(k project.ArtefactKind, as []project.Artefact) string {
	if k == project.Bytecode && len(as) > 1 {
		return fmt.Sprintf("%d `__pycache__` directories or `.pyc` files", len(as))
	}
	var parts []string
	for i, a := range as {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("%d more", len(as)-3))
			break
		}
		parts = append(parts, "`"+artefactRel(a)+"`")
	}
	noun := artefactNoun(k, as[0])
	if len(as) > 1 {
		noun = artefactNouns[k]
	}
	return prose.JoinAnd(parts) + " (" + noun + ")"
}

// artefactNoun says what an artefact of kind k is.
func artefactNoun(k project.ArtefactKind, a project.Artefact) string {
	switch k {
	case project.Database:
		return "a SQLite database"
	case project.Virtualenv:
		return "a virtualenv"
	case project.BeatSchedule:
		return "Celery beat's schedule"
	case project.LogFile:
		return "a log file"
	}
	if a.Dir {
		return "compiled bytecode"
	}
	return "a compiled `.pyc` file"
}

// artefactNouns say what several artefacts of one kind are.
var artefactNouns = map[project.ArtefactKind]string{
	project.Database: "SQLite databases", project.Virtualenv: "virtualenvs",
	project.BeatSchedule: "Celery beat's schedules", project.LogFile: "log files",
}

// isAre agrees the verb with the artefacts listed.
func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// artefactRel is an artefact's path as written in a message: a directory
// with a trailing slash.
func artefactRel(a project.Artefact) string {
	if a.Dir {
		return a.Rel + "/"
	}
	return a.Rel
}

// artefactPath is where a finding on the artefact points (for a
// virtualenv, its pyvenv.cfg or activate script).
func artefactPath(ix *project.Index, a project.Artefact) string {
	return ix.DisplayPath(a.File)
}
