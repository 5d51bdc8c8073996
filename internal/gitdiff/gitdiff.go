// Package gitdiff finds the lines changed since a git revision, by running
// the local git (never the network): `git diff --unified=0 REV` for tracked
// files, plus untracked files, which are new in every line.
package gitdiff

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Changes maps a file (absolute path) to its changed lines; a nil set
// means every line (a new, untracked file).
type Changes map[string]map[int]bool

// Since returns the changes in the repository containing dir between rev
// and the working tree.
func Since(dir, rev string) (Changes, error) {
	top, err := git(dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, err
	}
	root := strings.TrimSpace(string(top))
	if _, err := git(dir, "rev-parse", "--verify", "--quiet", rev+"^{commit}"); err != nil {
		return nil, fmt.Errorf("--diff: %q is not a revision of %s", rev, root)
	}
	out, err := git(root, "diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-renames", rev, "--")
	if err != nil {
		return nil, err
	}
	ch := Parse(out, root)
	untracked, err := git(root, "ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return nil, err
	}
	for _, p := range bytes.Split(untracked, []byte{0}) {
		if len(p) > 0 {
			ch[filepath.Join(root, filepath.FromSlash(string(p)))] = nil
		}
	}
	return ch, nil
}

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "core.quotePath=false"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Parse reads unified=0 diff output; paths are joined to root.
func Parse(diff []byte, root string) Changes {
	ch := Changes{}
	var cur string
	sc := bufio.NewScanner(bytes.NewReader(diff))
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "+++ "):
			name := strings.TrimPrefix(line, "+++ ")
			if name == "/dev/null" {
				cur = ""
				continue
			}
			name = strings.TrimPrefix(unquote(name), "b/")
			cur = filepath.Join(root, filepath.FromSlash(name))
			if _, ok := ch[cur]; !ok {
				ch[cur] = map[int]bool{}
			}
		case strings.HasPrefix(line, "@@ ") && cur != "":
			// @@ -a,b +c,d @@: lines c .. c+d-1 are new; d=0 is a pure
			// deletion, which marks the line after it.
			f := strings.Fields(line)
			if len(f) < 3 {
				continue
			}
			start, count := hunk(strings.TrimPrefix(f[2], "+"))
			if count == 0 {
				ch[cur][max(start, 1)] = true
				ch[cur][start+1] = true
				continue
			}
			for l := start; l < start+count; l++ {
				ch[cur][l] = true
			}
		}
	}
	return ch
}

func hunk(s string) (start, count int) {
	a, b, ok := strings.Cut(s, ",")
	start, _ = strconv.Atoi(a)
	count = 1
	if ok {
		count, _ = strconv.Atoi(b)
	}
	return start, count
}

func unquote(s string) string {
	if strings.HasPrefix(s, `"`) {
		if u, err := strconv.Unquote(s); err == nil {
			return u
		}
	}
	return s
}

// Touches reports whether lines first..last of file (absolute) changed.
func (c Changes) Touches(file string, first, last int) bool {
	lines, ok := c[file]
	if !ok {
		return false
	}
	if lines == nil {
		return true
	}
	for l := first; l <= max(first, last); l++ {
		if lines[l] {
			return true
		}
	}
	return false
}

// File reports whether the file changed at all.
func (c Changes) File(file string) bool {
	_, ok := c[file]
	return ok
}
