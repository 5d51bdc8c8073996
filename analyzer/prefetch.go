package analyzer

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/rubric-dev/rubric/analyzer/pyast"
)

// PrefetchTrees is a TreeCache that parses a few files before the run
// asks for them: `rubric check` hands it the files it finds edited while
// it still hashes the others for the result cache's key, so that the
// parse of an edited file, the one parse of an edit run, is no longer
// waited for in phase one. A tree is handed out once, to the first Get of
// the same bytes; any other Get, and a prefetch that failed, goes to Next.
// Trees are parsed as the driver parses them (the same timeout), so a
// tree from here is the tree the run would have made.
type PrefetchTrees struct {
	Next    TreeCache // may be nil
	Timeout time.Duration

	mu      sync.Mutex
	pending map[[32]byte]*prefetched
}

type prefetched struct {
	done chan struct{}
	tree *pyast.Tree
}

// Start parses src in the background.
func (p *PrefetchTrees) Start(src []byte) {
	sum := sha256.Sum256(src)
	p.mu.Lock()
	if p.pending == nil {
		p.pending = map[[32]byte]*prefetched{}
	}
	if p.pending[sum] != nil {
		p.mu.Unlock()
		return
	}
	pf := &prefetched{done: make(chan struct{})}
	p.pending[sum] = pf
	p.mu.Unlock()
	go func() {
		defer close(pf.done)
		parser := pyast.NewParser()
		defer parser.Close()
		if t, err := safeParse(p.Timeout, parser, src); err == nil {
			pf.tree = t
		}
	}()
}

// Get implements TreeCache.
func (p *PrefetchTrees) Get(src []byte) *pyast.Tree {
	p.mu.Lock()
	var pf *prefetched
	if len(p.pending) > 0 {
		sum := sha256.Sum256(src)
		pf = p.pending[sum]
		delete(p.pending, sum)
	}
	p.mu.Unlock()
	if pf != nil {
		<-pf.done
		if pf.tree != nil {
			return pf.tree
		}
	}
	if p.Next != nil {
		return p.Next.Get(src)
	}
	return nil
}

// Put implements TreeCache.
func (p *PrefetchTrees) Put(src []byte, t *pyast.Tree) {
	if p.Next != nil {
		p.Next.Put(src, t)
	}
}
