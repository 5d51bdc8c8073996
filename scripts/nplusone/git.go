package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// FindRepo returns the git arguments that address repo ("owner/name") under
// dir. Accepted layouts, tried in order, each a bare git directory or a normal
// clone: dir/owner+name, dir/owner+name/repo (what the fetch tool leaves),
// dir/owner+name.git, dir/owner/name, dir/owner/name.git.
func FindRepo(dir, repo string) ([]string, error) {
	owner, name, _ := strings.Cut(repo, "/")
	flat := owner + "+" + name
	for _, c := range []string{
		filepath.Join(dir, flat),
		filepath.Join(dir, flat, "repo"),
		filepath.Join(dir, flat+".git"),
		filepath.Join(dir, owner, name),
		filepath.Join(dir, owner, name+".git"),
	} {
		if isDir(filepath.Join(c, ".git")) || isFile(filepath.Join(c, ".git")) {
			return []string{"-C", c}, nil
		}
		if isFile(filepath.Join(c, "HEAD")) && isDir(filepath.Join(c, "objects")) {
			return []string{"--git-dir=" + c}, nil
		}
	}
	return nil, fmt.Errorf("no clone of %s under %s (expected %s, %s/repo or %s/%s)", repo, dir, flat, flat, owner, name)
}

func isDir(p string) bool  { st, err := os.Stat(p); return err == nil && st.IsDir() }
func isFile(p string) bool { st, err := os.Stat(p); return err == nil && st.Mode().IsRegular() }

// Extract writes commit's tree into dest (created; reused when it already
// holds a finished extraction) and returns dest and the number of files whose
// content the clone lacks (partial snapshots leave out their largest blobs;
// those files are skipped, as they would be unreadable to rubric anyway). It
// writes into a sibling directory first and renames it, so an interrupted run
// never leaves a half tree that a later run would trust. Symbolic links and
// submodules are skipped: rubric does not follow links either.
//
// It reads the tree with `git ls-tree` and the blobs with one
// `git cat-file --batch` rather than `git archive`, which fails outright on
// the first missing blob.
func Extract(git []string, commit, dest string) (string, int, error) {
	if isDir(dest) {
		return dest, 0, nil
	}
	part := dest + ".part"
	if err := os.RemoveAll(part); err != nil {
		return "", 0, err
	}
	if err := os.MkdirAll(part, 0o755); err != nil {
		return "", 0, err
	}
	files, err := listTree(git, commit)
	if err != nil {
		return "", 0, err
	}
	missing, err := writeBlobs(git, files, part)
	if err != nil {
		return "", 0, fmt.Errorf("extract %s: %w", commit, err)
	}
	if err := os.Rename(part, dest); err != nil {
		return "", 0, err
	}
	return dest, missing, nil
}

type treeFile struct{ sha, path string }

// listTree lists the regular files of commit's tree.
func listTree(git []string, commit string) ([]treeFile, error) {
	args := append(append([]string{}, git...), "ls-tree", "-r", "-z", "--full-tree", commit)
	var stderr strings.Builder
	cmd := exec.Command("git", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-tree %s: %w: %s", commit, err, strings.TrimSpace(stderr.String()))
	}
	var files []treeFile
	for _, rec := range strings.Split(string(out), "\x00") {
		meta, path, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		f := strings.Fields(meta) // mode type sha
		if len(f) != 3 || f[1] != "blob" || (f[0] != "100644" && f[0] != "100755") {
			continue
		}
		if !filepath.IsLocal(path) {
			return nil, fmt.Errorf("tree entry %q escapes the tree", path)
		}
		files = append(files, treeFile{sha: f[2], path: path})
	}
	return files, nil
}

// writeBlobs streams the files' blobs through one `git cat-file --batch` and
// writes them under dir. It returns how many blobs the clone lacks.
func writeBlobs(git []string, files []treeFile, dir string) (int, error) {
	args := append(append([]string{}, git...), "cat-file", "--batch")
	cmd := exec.Command("git", args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("git cat-file: %w", err)
	}
	go func() {
		w := bufio.NewWriter(stdin)
		for _, f := range files {
			fmt.Fprintln(w, f.sha)
		}
		_ = w.Flush()
		_ = stdin.Close()
	}()
	r := bufio.NewReaderSize(stdout, 1<<16)
	missing := 0
	var werr error
	for _, f := range files {
		if werr = readBlob(r, f, dir, &missing); werr != nil {
			break
		}
	}
	_, _ = io.Copy(io.Discard, r) // let git finish if we stopped early
	if err := cmd.Wait(); err != nil && werr == nil {
		werr = fmt.Errorf("git cat-file: %w", err)
	}
	return missing, werr
}

// readBlob reads one `cat-file --batch` answer: "<sha> blob <size>\n" then
// the content and a newline, or "<sha> missing\n".
func readBlob(r *bufio.Reader, f treeFile, dir string, missing *int) error {
	header, err := r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	fields := strings.Fields(header)
	if len(fields) == 2 && fields[1] == "missing" {
		*missing++
		return nil
	}
	if len(fields) != 3 || fields[0] != f.sha {
		return fmt.Errorf("%s: unexpected cat-file header %q", f.path, header)
	}
	size, err := strconv.ParseInt(fields[2], 10, 64)
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	p := filepath.Join(dir, f.path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = io.CopyN(out, r, size)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if _, err := r.Discard(1); err != nil { // the newline after the content
		return fmt.Errorf("%s: %w", f.path, err)
	}
	return nil
}

// ShowLines returns lines [a, b] of path at commit, for --show.
func ShowLines(git []string, commit, path string, a, b int) ([]string, error) {
	args := append(append([]string{}, git...), "show", commit+":"+path)
	out, err := exec.Command("git", args...).Output()
	if err != nil {
		return nil, fmt.Errorf("git show %s:%s: %w", commit[:12], path, err)
	}
	lines := strings.Split(string(out), "\n")
	if a < 1 || b > len(lines) {
		return nil, fmt.Errorf("%s:%d-%d: the file has %d lines at %s", path, a, b, len(lines), commit[:12])
	}
	return lines[a-1 : b], nil
}
