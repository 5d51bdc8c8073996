package txn_test

import (
	"testing"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/analyzertest"
	"github.com/rubric-dev/rubric/rules/txn"
)

const dir = "../../testdata/rules/txn"

func TestSideEffectInAtomic(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{txn.SideEffectInAtomic}, "TXN001.py", "TXN001_ok.py")
}

func TestSideEffectInAtomicRequests(t *testing.T) {
	analyzertest.RunTxtar(t, dir+"/TXN001_requests.txtar", []*analyzer.Rule{txn.SideEffectInAtomic})
}

func TestWriteThenNotify(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{txn.WriteThenNotify}, "TXN002.py", "TXN002_ok.py")
}

func TestMultiModelWrites(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{txn.MultiModelWrites}, "TXN003.py", "TXN003_ok.py")
	analyzertest.RunTxtar(t, dir+"/TXN003_ok_callers.txtar", []*analyzer.Rule{txn.MultiModelWrites})
}

func TestNetworkInAtomic(t *testing.T) {
	analyzertest.Run(t, dir, []*analyzer.Rule{txn.NetworkInAtomic}, "TXN004.py", "TXN004_ok.py")
}
