package source

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/internal/safeio"
)

func TestDeclaredEncoding(t *testing.T) {
	for src, want := range map[string]string{
		"# -*- coding: latin-1 -*-\n":          "latin-1",
		"#!/usr/bin/python\n# coding=cp1252\n": "cp1252",
		"\n# vim: set fileencoding=koi8-r :\n": "koi8-r",
		"# coding: utf-8\n":                    "utf-8",
		"x = 1\n# coding: latin-1\n":           "", // line 2 counts only after a comment or blank line
		"\n\n# coding: latin-1\n":              "", // line 3 never counts
		"s = '# coding: latin-1'\n":            "",
		"# this is about coding style\n":       "",
		"\t# coding:latin_1\r\n":               "latin_1",
	} {
		d, ok := DeclaredEncoding([]byte(src))
		assert.Equal(t, want != "", ok, "%q", src)
		assert.Equal(t, want, d.Name, "%q", src)
	}
}

func TestPrepareDecodes(t *testing.T) {
	for _, tc := range []struct {
		raw, text, enc string
		err            error
	}{
		{"# coding: latin-1\nx = '\xe9'\n", "# coding: latin-1\nx = 'é'\n", "iso-8859-1", nil},
		{"# coding: ISO_8859_15\nx = '\xa4'\n", "# coding: ISO_8859_15\nx = '€'\n", "iso-8859-15", nil},
		{"# coding: windows-1251\nx = '\xe6'\n", "# coding: windows-1251\nx = 'ж'\n", "windows-1251", nil},
		{"# coding: utf8\nx = 'é'\n", "# coding: utf8\nx = 'é'\n", "", nil},
		{"# -*- coding: utf--8 -*-\nx = 'é'\n", "# -*- coding: utf--8 -*-\nx = 'é'\n", "", nil}, // Python collapses the run of dashes
		{"# coding: Latin_-1\nx = '\xe9'\n", "# coding: Latin_-1\nx = 'é'\n", "iso-8859-1", nil},
		{"# coding: ascii\nx = 1\n", "# coding: ascii\nx = 1\n", "", nil},
		{"# coding: ascii\nx = '\xe9'\n", "", "", ErrEncoding},
		{"\xef\xbb\xbf# coding: latin-1\n", "", "", ErrEncoding},
		{"# coding: nope\n", "", "", ErrEncoding},
		{"# coding: latin-1\nx\x00", "", "", ErrBinary},
		{"x = '\xe9'\n", "", "", ErrInvalidUTF8},
	} {
		text, enc, err := Prepare([]byte(tc.raw), 0)
		if tc.err != nil {
			assert.True(t, errors.Is(err, tc.err), "%q: %v", tc.raw, err)
			continue
		}
		require.NoError(t, err, "%q", tc.raw)
		assert.Equal(t, tc.text, string(text))
		assert.Equal(t, tc.enc, enc)
	}
	_, _, err := Prepare([]byte("x = 1\n"), 3)
	assert.ErrorIs(t, err, ErrTooLarge)
}

// ReadRaw refuses a link at any directory between the root it was found
// under and the file.
func TestReadRawStaysInTheTree(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "x.py"), []byte("x = 1\n"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(root, "pkg"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "pkg", "a.py"), []byte("a = 1\n"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "evil")))

	data, err := ReadRaw(filepath.Join(root, "pkg", "a.py"), "pkg/a.py", 0)
	require.NoError(t, err)
	assert.Equal(t, "a = 1\n", string(data))
	_, err = ReadRaw(filepath.Join(root, "evil", "x.py"), "evil/x.py", 0)
	assert.ErrorIs(t, err, safeio.ErrLink)
	_, err = ReadRaw(filepath.Join(root, "pkg", "a.py"), "pkg/a.py", 3)
	assert.ErrorIs(t, err, ErrTooLarge)
	assert.Contains(t, err.Error(), "--max-file-size")

	r, ok := rootOf("/a/b/c.py", "b/c.py")
	assert.True(t, ok)
	assert.Equal(t, "/a/", r)
	r, ok = rootOf("c.py", "c.py")
	assert.True(t, ok)
	assert.Equal(t, ".", r)
	_, ok = rootOf("/a/xb/c.py", "b/c.py")
	assert.False(t, ok)
	_, ok = rootOf("/a/b/c.py", "../c.py")
	assert.False(t, ok)
}

// Encode writes back what decode read, and refuses a character the
// encoding cannot hold.
func TestEncodeRoundTrips(t *testing.T) {
	raw := []byte("# -*- coding: latin-1 -*-\nx = '\xe9t\xe9'\n")
	text, name, err := decode(raw)
	require.NoError(t, err)
	require.Equal(t, "iso-8859-1", name)
	back, err := Encode(text, name)
	require.NoError(t, err)
	assert.Equal(t, raw, back)
	_, err = Encode([]byte("x = '\u20ac'\n"), name)
	assert.ErrorIs(t, err, ErrEncoding, "the euro sign is not in latin-1")
	same, err := Encode(text, "")
	require.NoError(t, err)
	assert.Equal(t, text, same)
}
