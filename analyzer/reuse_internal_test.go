package analyzer

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/analyzer/project"
	"github.com/rubric-dev/rubric/analyzer/pyast"
	"github.com/rubric-dev/rubric/analyzer/source"
)

// The facts digest and the reuse of phase one rest on facts serialising
// to an equal value: every fact a rule may read must survive the round
// trip, whatever is added to project.Facts. Facts must be values (no
// pointer reached twice, no interface, nothing unexported that matters),
// which this checks over every Python file of testdata.
func TestFactsSurviveSerialisation(t *testing.T) {
	n := 0
	err := filepath.WalkDir(filepath.Join("..", "testdata"), func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".py") {
			return err
		}
		src, err := os.ReadFile(p)
		require.NoError(t, err)
		tree, err := pyast.Parse(src)
		require.NoError(t, err)
		u := project.NewUnit(source.New(p, p, src), tree, filepath.ToSlash(p))
		facts := project.Extract(u)
		data, err := factsBytes(facts)
		require.NoError(t, err)
		back := &project.Facts{}
		require.NoError(t, decodeValue(data, back), p)
		want := *facts
		want.Unit = nil
		assert.Equal(t, &want, back, "%s: facts change through the codec", p)
		again, err := factsBytes(back)
		require.NoError(t, err)
		assert.Equal(t, string(data), string(again), "%s: serialising is not deterministic", p)
		assert.Empty(t, shared(reflect.ValueOf(&want), map[uintptr]bool{}), "%s: a pointer is shared; the codec would copy it", p)
		n++
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, n, 100)
}

// shared returns the types of pointers reached twice from v.
func shared(v reflect.Value, seen map[uintptr]bool) []string {
	var out []string
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		if seen[v.Pointer()] {
			return []string{v.Type().String()}
		}
		seen[v.Pointer()] = true
		out = append(out, shared(v.Elem(), seen)...)
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				out = append(out, shared(v.Field(i), seen)...)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out = append(out, shared(v.Index(i), seen)...)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			out = append(out, shared(v.MapIndex(k), seen)...)
		}
	case reflect.Interface:
		if !v.IsNil() {
			out = append(out, "interface "+v.Type().String())
		}
	}
	return out
}

// A key is the SHA-256 of the base and each part after its length (8 bytes,
// big endian), whatever the parts' sizes (a file's keys fit the stack
// buffer; a long part does not).
func TestKeyHashesLengthPrefixedParts(t *testing.T) {
	r := &reuser{base: sha256.Sum256([]byte("base"))}
	for _, parts := range [][][]byte{
		nil,
		{[]byte("local"), []byte("shop/views.py"), []byte("shop/views.py"), make([]byte, 32), nil},
		{bytes.Repeat([]byte("x"), 2000), []byte(""), []byte("y")},
	} {
		h := sha256.New()
		h.Write(r.base[:])
		for _, p := range parts {
			var n [8]byte
			binary.BigEndian.PutUint64(n[:], uint64(len(p)))
			h.Write(n[:])
			h.Write(p)
		}
		assert.Equal(t, [32]byte(h.Sum(nil)), r.key(parts...))
	}
	assert.NotEqual(t, r.key([]byte("ab"), []byte("c")), r.key([]byte("a"), []byte("bc")), "the lengths keep parts apart")
}
