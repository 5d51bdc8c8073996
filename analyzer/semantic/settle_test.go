package semantic

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// TestSettleKeepsOnlyWhatCannotChange builds the model of every
// multi-file fixture twice, once evaluating everything in every settling
// round and once evaluating again only what read a value that changed, and
// requires the same settled values: the saving must never change a result.
func TestSettleKeepsOnlyWhatCannotChange(t *testing.T) {
	var archives []string
	require.NoError(t, filepath.WalkDir("../../testdata", func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".txtar") {
			archives = append(archives, p)
		}
		return err
	}))
	require.NotEmpty(t, archives)
	kept := 0
	for _, p := range archives {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		settleEverything = true
		full := dumpSettled(load(t, string(data)))
		settleEverything = false
		m := load(t, string(data))
		kept += m.settleKept
		assert.Equal(t, full, dumpSettled(m), p)
	}
	// The fixtures have helpers whose values settle in the first round:
	// later rounds keep them.
	assert.Positive(t, kept)
}

// dumpSettled prints every function's settled parameters and return value.
func dumpSettled(m *Model) string {
	var b strings.Builder
	for _, f := range m.Files() {
		for _, fn := range f.Funcs {
			fmt.Fprintf(&b, "%s %s:%d ret=%s params=[", f.Unit.File.Rel, fn.Name, fn.Node.StartByte(), dumpValue(fn.ret))
			for _, v := range fn.params {
				b.WriteString(dumpValue(v) + " ")
			}
			b.WriteString("]\n")
		}
	}
	return b.String()
}

func dumpValue(v Value) string {
	return fmt.Sprintf("{%d %s %d %s}", v.Kind, modelName(v.Model), v.Certainty, dumpQS(v.QS, 0))
}

func modelName(m *project.Model) string {
	if m == nil {
		return "-"
	}
	return m.Qual
}

// dumpQS prints a queryset's fields, following what points out of it by
// name or position.
func dumpQS(q *QS, depth int) string {
	if q == nil || depth > 4 {
		return "nil"
	}
	var b strings.Builder
	rv := reflect.ValueOf(q).Elem()
	for i := range rv.NumField() {
		f, name := rv.Field(i), rv.Type().Field(i).Name
		switch x := f.Interface().(type) {
		case *project.Model:
			fmt.Fprintf(&b, "%s=%s ", name, modelName(x))
		case *File:
			if x != nil {
				fmt.Fprintf(&b, "%s=%s ", name, x.Unit.File.Rel)
			}
		case pyast.Node:
			if !x.IsNil() {
				fmt.Fprintf(&b, "%s=%s@%d ", name, x.Type(), x.StartByte())
			}
		case []*QS:
			fmt.Fprintf(&b, "%s=[", name)
			for _, s := range x {
				b.WriteString(dumpQS(s, depth+1) + " ")
			}
			b.WriteString("] ")
		default:
			fmt.Fprintf(&b, "%s=%v ", name, x)
		}
	}
	return b.String()
}
