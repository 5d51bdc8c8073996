package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// gitSafe turns off what could run a program chosen by the repository. ls-tree and cat-file never
// read the index or run hooks; this is a second lock.
var gitSafe = []string{"-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null"}

// FindGitDir locates the clone of owner/name under reposDir. Accepted layouts, first match wins:
// <owner>+<name> and <owner>/<name>, each either a bare git directory, a normal clone (with .git),
// or a directory holding a repository named repo, bare (the mirror layout) or a clone (repo/.git, as
// the fetch tool sometimes leaves a snapshot).
func FindGitDir(reposDir, repository string) (string, error) {
	owner, name, ok := strings.Cut(repository, "/")
	if !ok {
		return "", fmt.Errorf("repository %q: want owner/name", repository)
	}
	for _, base := range []string{owner + "+" + name, filepath.Join(owner, name)} {
		dir := filepath.Join(reposDir, base)
		for _, cand := range []string{filepath.Join(dir, ".git"), filepath.Join(dir, "repo"), filepath.Join(dir, "repo", ".git"), dir} {
			if isGitDir(cand) {
				return cand, nil
			}
		}
	}
	return "", fmt.Errorf("no clone of %s under %s (looked for %s+%s and %s/%s)", repository, reposDir, owner, name, owner, name)
}

func isGitDir(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "HEAD"))
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, "objects"))
	return err == nil
}

func git(gitDir string, args ...string) *exec.Cmd {
	all := append(append([]string{}, gitSafe...), "--git-dir="+gitDir)
	cmd := exec.Command("git", append(all, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0")
	return cmd
}

// treeEntry is one blob of `git ls-tree -r`.
type treeEntry struct {
	mode, oid, path string
}

// Extract writes the tree of commit into dest, which must not exist yet. It reads blobs one by one
// (ls-tree, then cat-file --batch) instead of `git archive`, so that a snapshot missing some large
// blobs still extracts: those files are skipped and counted. Symbolic links and submodules are
// skipped; paths that would leave dest are refused.
func Extract(gitDir, commit, dest string) (skipped int, err error) {
	if err := git(gitDir, "cat-file", "-e", commit+"^{commit}").Run(); err != nil {
		return 0, fmt.Errorf("commit %s not in %s", commit, gitDir)
	}
	out, err := git(gitDir, "ls-tree", "-r", "-z", "--full-tree", commit).Output()
	if err != nil {
		return 0, fmt.Errorf("ls-tree %s: %w", commit, err)
	}
	entries, err := parseLsTree(out)
	if err != nil {
		return 0, err
	}
	if err := os.Mkdir(dest, 0o755); err != nil {
		return 0, err
	}
	cmd := git(gitDir, "cat-file", "--batch")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return 0, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		_ = stdin.Close()
		if werr := cmd.Wait(); err == nil && werr != nil {
			err = fmt.Errorf("cat-file: %w", werr)
		}
	}()
	rd := bufio.NewReader(stdout)
	for _, e := range entries {
		if e.mode == "120000" || e.mode == "160000" { // symlink, submodule
			skipped++
			continue
		}
		target, perr := safeJoin(dest, e.path)
		if perr != nil {
			skipped++
			continue
		}
		if _, err := io.WriteString(stdin, e.oid+"\n"); err != nil {
			return skipped, err
		}
		header, err := rd.ReadString('\n')
		if err != nil {
			return skipped, fmt.Errorf("cat-file: %w", err)
		}
		fields := strings.Fields(header)
		if len(fields) == 2 && fields[1] == "missing" {
			skipped++ // absent from a partial snapshot
			continue
		}
		if len(fields) != 3 {
			return skipped, fmt.Errorf("cat-file: unexpected header %q", header)
		}
		size, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			return skipped, fmt.Errorf("cat-file: unexpected header %q", header)
		}
		written, err := writeBlob(target, rd, size)
		if err != nil {
			return skipped, err
		}
		if !written {
			skipped++
		}
		if _, err := rd.ReadByte(); err != nil { // the newline after each object
			return skipped, err
		}
	}
	return skipped, nil
}

func parseLsTree(out []byte) ([]treeEntry, error) {
	var entries []treeEntry
	for _, rec := range bytes.Split(out, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		meta, path, ok := bytes.Cut(rec, []byte{'\t'})
		f := strings.Fields(string(meta))
		if !ok || len(f) != 3 {
			return nil, fmt.Errorf("ls-tree: unexpected line %q", rec)
		}
		if f[1] != "blob" && f[1] != "commit" {
			continue
		}
		entries = append(entries, treeEntry{mode: f[0], oid: f[2], path: string(path)})
	}
	return entries, nil
}

// safeJoin joins a repository path under dest, refusing absolute paths and ".." escapes.
func safeJoin(dest, p string) (string, error) {
	if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("unsafe path %q", p)
	}
	clean := filepath.Clean(filepath.FromSlash(p))
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("unsafe path %q", p)
	}
	return filepath.Join(dest, clean), nil
}

// writeBlob copies size bytes of r into a new file at target. When the file cannot be created (a file
// and a directory of the same name, say) the blob is read and dropped, and written is false: the
// cat-file stream must stay in step.
func writeBlob(target string, r io.Reader, size int64) (written bool, err error) {
	f, cerr := createFile(target)
	if cerr != nil {
		_, err = io.CopyN(io.Discard, r, size)
		return false, err
	}
	if _, err := io.CopyN(f, r, size); err != nil {
		f.Close()
		return false, err
	}
	return true, f.Close()
}

func createFile(target string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return nil, err
	}
	return os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}
