package cli

import (
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/analyzer/filter"
	"github.com/rubric-dev/rubric/analyzer/printer"
	"github.com/rubric-dev/rubric/internal/buildinfo"
	"github.com/rubric-dev/rubric/internal/lsp"
)

func newServerCmd() *cobra.Command {
	f := &configFlags{}
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the editor server: the Language Server Protocol over standard input and output",
		Long: `Run rubric as a language server for editors (LSP over standard input and output): diagnostics
when a file is opened, changed or saved, code actions (a finding's fix; "# noqa: CODE" for its
line) and the rule's documentation on hover. The workspace's rubric.toml or pyproject.toml applies,
and the flags given here override it as for ` + "`rubric check`" + `. See docs/ci.md for VS Code and Neovim.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s := lsp.New(lsp.Options{
				Setup: func(root string) (analyzer.Config, func(*analyzer.Result), error) {
					eff, err := f.effective(cmd.Flags(), []string{root}, root)
					if err != nil {
						return analyzer.Config{}, nil, err
					}
					cfg := analysisConfig(eff, root)
					// The server keeps each file's work in memory between
					// analyses (lsp.Options.Setup), under the CLI's keys.
					cfg.ReuseKey, cfg.ReuseExtra = reuseKey(cfg, eff), templatesDigest(cfg.Jobs)
					return cfg, filter.Pipeline{Ignored: ignoredIn(eff, root), WorkDir: root}.Apply, nil
				},
				Debounce: 150 * time.Millisecond,
				Version:  buildinfo.Version,
				DocURL:   func(code string) string { return printer.DocsBaseURL + code + ".md" },
			})
			return s.Serve(cmd.Context(), stdio{cmd.InOrStdin(), cmd.OutOrStdout()})
		},
	}
	f.register(cmd.Flags())
	return cmd
}

// stdio joins standard input and output into the server's stream.
type stdio struct {
	io.Reader
	io.Writer
}

func (stdio) Close() error { return nil }
