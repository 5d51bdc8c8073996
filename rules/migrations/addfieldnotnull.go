package migrations

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/project"
)

//go:embed addfieldnotnull.md
var addFieldNotNullDoc string

// AddFieldNotNull reports AddField of a NOT NULL column with no default of
// any kind on a table that already exists.
var AddFieldNotNull = &analyzer.Rule{
	Code:       "MIG001",
	Name:       "add-field-not-null-without-default",
	Doc:        addFieldNotNullDoc,
	Category:   analyzer.Migrations,
	Severity:   analyzer.Error,
	Confidence: analyzer.High,
	Since:      "0.1.0",
	Stack:      project.Django,
	Options:    releasedOptions,
	Run:        runAddFieldNotNull,
}

// runAddFieldNotNull matches AddField whose field is literally NOT NULL
// (no null=True) and has no default, no db_default and no default Django
// supplies itself (blank string fields, auto_now). It skips fields without
// a column (many-to-many), primary keys, computed null= values, and new
// tables (see the package doc).
func runAddFieldNotNull(p *analyzer.Pass) error {
	eachOp(p, true, func(c *opCtx, op *project.Operation) {
		f := op.Field
		if !op.Known || op.Kind != "AddField" || f == nil || c.newTable(op) || !f.HasColumn() {
			return
		}
		if null, ok := f.Nullable(); !ok || null {
			return
		}
		if pk, _ := f.Bool("primary_key"); pk || f.HasDefault() || f.HasDBDefault() || implicitDefault(f) != "" {
			return
		}
		if _, gen := f.Kwargs["expression"]; gen || f.Kind == "GeneratedField" {
			return
		}
		conf := analyzer.High
		if !strings.HasPrefix(f.Qualified, "django.") {
			// A custom field class may supply its own default; a blank one
			// most likely subclasses a string field, which Django fills with "".
			if blank, _ := f.Bool("blank"); blank {
				return
			}
			conf = analyzer.Medium
		}
		p.Report(analyzer.Diagnostic{
			Range:      rng(op.Span),
			Confidence: conf,
			Message: fmt.Sprintf("`AddField` `%s.%s` adds a NOT NULL column with no default to an existing table",
				op.Model, op.Name),
			Help: "add it with `null=True`, backfill the rows in a later migration, then make it NOT NULL" +
				dbDefaultHint(p, "; or give it `db_default=` (Django 5.0+) so the database fills existing and new rows"),
		})
	})
	return nil
}

// implicitDefault names the default Django's schema editor supplies for a
// NOT NULL field that declares none, or "" when it supplies nothing.
func implicitDefault(f *project.FieldSpec) string {
	if blank, _ := f.Bool("blank"); blank && stringField(f.Kind) {
		return "an empty string (blank=True)"
	}
	for _, k := range []string{"auto_now", "auto_now_add"} {
		if v, _ := f.Bool(k); v {
			return "the current time (" + k + "=True)"
		}
	}
	return ""
}

func stringField(kind string) bool {
	switch kind {
	case "CharField", "TextField", "SlugField", "EmailField", "URLField", "FilePathField", "FileField",
		"ImageField", "BinaryField", "CICharField", "CITextField", "CIEmailField":
		return true
	}
	return false
}
