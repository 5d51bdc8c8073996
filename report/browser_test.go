package report_test

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rubric-dev/rubric/report"
	"github.com/rubric-dev/rubric/rules/all"
)

// chromium finds a headless-capable browser: $RUBRIC_CHROMIUM, then
// Debian's /usr/bin/chromium. .ci/install-chromium.sh installs it in CI.
func chromium() string {
	for _, p := range []string{os.Getenv("RUBRIC_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "chromium: %s", stderr.String())
	return stdout.Bytes()
}

// TestHTMLInBrowser renders the guide sample's HTML report in headless
// Chromium: the DOM it builds must hold every checklist item, and the
// screenshots (desktop and phone widths) must show a real page.
func TestHTMLInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("SKIPPED: chromium not found (/usr/bin/chromium); run .ci/install-chromium.sh to enable the browser test")
	}
	r := analyze(t, "galileo")
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	require.NoError(t, report.WriteHTML(&buf, r))
	require.NoError(t, os.WriteFile(page, buf.Bytes(), 0o644))
	url := "file://" + page

	dom := string(runChromium(t, bin, "--dump-dom", url))
	n := 0
	for _, a := range r.Areas {
		assert.Contains(t, dom, `id="area-`+a.ID+`"`)
		for _, it := range a.Items {
			assert.Contains(t, dom, `data-item="`+it.ID+`" data-status="`+string(it.Status)+`"`, it.ID)
			n++
		}
	}
	assert.Equal(t, n, strings.Count(dom, `<li class="item `), "every item rendered once")
	// A status bar per area (twice: summary and section), evidence that
	// expands, source lines as code, the model graph as inline SVG.
	assert.Equal(t, 2*len(r.Areas), strings.Count(dom, `<div class="bar"`))
	assert.Contains(t, dom, `<details class="evidence" open=""><summary>`)
	assert.Contains(t, dom, `<pre class="src"><span class="ln">10</span>merchant = Merchant.objects.get(id=transaction.merchant_id)</pre>`)
	assert.Contains(t, dom, `<svg class="models"`)
	assert.Equal(t, 5, strings.Count(dom, `class="edge"`), "five relations drawn")
	assert.Contains(t, dom, "<code>accounts/views.py:7</code>: <code>user.profile</code> runs a query per row of <code>users</code>. How many queries does this run for 1,000 rows")
	// The endpoint table: the sample's one view, which only reads.
	assert.Contains(t, dom, `<section id="endpoints">`)
	assert.Equal(t, len(r.Endpoints), strings.Count(dom, `<tr class="ep`))
	assert.Contains(t, dom, `<code>transactions.views.get_user_transactions</code> <code class="loc">transactions/views.py:6</code>`)

	for _, size := range []string{"1600,2400", "390,1600"} {
		shot := filepath.Join(dir, "shot-"+strings.ReplaceAll(size, ",", "x")+".png")
		runChromium(t, bin, "--hide-scrollbars", "--window-size="+size, "--screenshot="+shot, url)
		if out := os.Getenv("RUBRIC_SCREENSHOT_DIR"); out != "" {
			data, _ := os.ReadFile(shot)
			_ = os.WriteFile(filepath.Join(out, filepath.Base(shot)), data, 0o644)
		}
		assertNonTrivialPNG(t, shot)
	}

	// Printing goes through the @media print rules; the PDF must exist and
	// hold real content.
	pdf := filepath.Join(dir, "report.pdf")
	runChromium(t, bin, "--no-pdf-header-footer", "--print-to-pdf="+pdf, url)
	data, err := os.ReadFile(pdf)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(data, []byte("%PDF")))
	assert.Greater(t, len(data), 20000, "printed report too small")
}

// assertNonTrivialPNG decodes the screenshot and checks that it is not a
// blank page: enough distinct colours and enough non-white pixels.
func assertNonTrivialPNG(t *testing.T, file string) {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	require.Greater(t, b.Dx(), 300)
	require.Greater(t, b.Dy(), 300)
	colours := map[[3]uint32]bool{}
	ink := 0
	total := 0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 12, g >> 12, bl >> 12}] = true
			if r < 0xE000 || g < 0xE000 || bl < 0xE000 {
				ink++
			}
			total++
		}
	}
	assert.Greater(t, len(colours), 20, "%s: too few colours for a rendered report", file)
	assert.Greater(t, float64(ink)/float64(total), 0.03, "%s: page looks blank", file)
}

// TestIndexInBrowser renders a batch index: a colour grid of areas by
// submissions, and error rows without a score.
func TestIndexInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("SKIPPED: chromium not found (/usr/bin/chromium); run .ci/install-chromium.sh to enable the browser test")
	}
	out := t.TempDir()
	empty := t.TempDir()
	rows, err := report.Grade(context.Background(), []string{submissions + "galileo", submissions + "galileo-strong", empty}, report.GradeOptions{
		OutDir: out, Rules: all.Rules(), Jobs: 1, Version: "test", Now: fixedNow})
	require.NoError(t, err)
	url := "file://" + filepath.Join(out, "index.html")
	dom := string(runChromium(t, bin, "--dump-dom", url))
	areas := len(rows[0].Report.Areas)
	assert.Equal(t, 2*areas, strings.Count(dom, `<td class="cell b`), "a coloured cell per area and graded submission")
	assert.Contains(t, dom, `<td class="cell b1" data-area="performance" title="1 Poor">1<small>0 / 2 / 3</small></td>`)
	assert.Contains(t, dom, "not graded: no analysable Python file")
	shot := filepath.Join(out, "index.png")
	runChromium(t, bin, "--hide-scrollbars", "--window-size=1400,800", "--screenshot="+shot, url)
	if dir := os.Getenv("RUBRIC_SCREENSHOT_DIR"); dir != "" {
		data, _ := os.ReadFile(shot)
		_ = os.WriteFile(filepath.Join(dir, "index.png"), data, 0o644)
	}
	assertNonTrivialPNG(t, shot)
}

// TestEndpointsInBrowser renders the endpoint table of a project with every
// kind of endpoint (testdata/report/mixed.txtar): one row per endpoint,
// marked by who reaches those that change state, at desktop and phone
// widths (on a phone each row is a card: see the screenshots with
// RUBRIC_SCREENSHOT_DIR set).
func TestEndpointsInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("SKIPPED: chromium not found (/usr/bin/chromium); run .ci/install-chromium.sh to enable the browser test")
	}
	_, src := unpackTxtar(t, "../testdata/report/mixed.txtar")
	r, err := report.Analyze(context.Background(), src, all.Rules(), 1, report.Options{Name: "mixed", Version: "test", Now: fixedNow})
	require.NoError(t, err)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	require.NoError(t, report.WriteHTML(&buf, r))
	require.NoError(t, os.WriteFile(page, buf.Bytes(), 0o644))
	dom := string(runChromium(t, bin, "--dump-dom", "file://"+page))
	assert.Equal(t, 10, strings.Count(dom, `<tr class="ep`), "one row per endpoint")
	assert.Equal(t, 1, strings.Count(dom, `data-access="open"`))
	assert.Equal(t, 1, strings.Count(dom, `data-access="unknown"`))
	assert.Equal(t, 5, strings.Count(dom, `data-access="authorised"`), "four wallet writes and the verified webhook")
	assert.Contains(t, dom, `<tr class="ep open" data-access="open"><td data-label="Route"><code>/payouts/</code></td><td data-label="Methods">POST</td>`)
	assert.Contains(t, dom, `<td data-label="Webhook">verified at api/hooks.py:17</td>`)
	assert.Contains(t, dom, `<span class="access authorised">authorised</span> authenticated: IsAuthenticated (settings) <code class="loc">config/settings.py:4</code>`)

	// The screenshots show the section alone, with the page's own head
	// (its style sheet): the table sits below the checklist on the page.
	h := buf.String()
	start, end := strings.Index(h, `<section id="endpoints">`), strings.Index(h, `<section id="models">`)
	require.True(t, start > 0 && end > start)
	section := filepath.Join(dir, "endpoints.html")
	require.NoError(t, os.WriteFile(section, []byte(h[:strings.Index(h, "<main>")+len("<main>")]+h[start:end]+"</main></body></html>"), 0o644))
	url := "file://" + section
	for _, size := range []string{"1400,1200", "390,2400"} {
		shot := filepath.Join(dir, "endpoints-"+strings.ReplaceAll(size, ",", "x")+".png")
		runChromium(t, bin, "--hide-scrollbars", "--window-size="+size, "--screenshot="+shot, url)
		if out := os.Getenv("RUBRIC_SCREENSHOT_DIR"); out != "" {
			data, _ := os.ReadFile(shot)
			_ = os.WriteFile(filepath.Join(out, filepath.Base(shot)), data, 0o644)
		}
		assertNonTrivialPNG(t, shot)
	}
}
