package project

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Which migrations the per-migration rules (MIG001-MIG010) judge. A
// migration that already ran in production cannot be made safer: judging
// it only buries the findings a reviewer can act on under the project's
// history. What is released comes from configuration when there is some;
// otherwise rubric assumes that everything but the latest migration(s) of
// each app is, which gives a mature project's history no findings and
// still judges a submission's newest migrations against the tables that
// existed before them.

// SelectExactReleased marks exactly the listed migrations ("app.name",
// from ReleasedAtRevision) as released: every other one is judged. how
// says where the list came from, for the run summary.
func (mi *MigrationIndex) SelectExactReleased(released []string, how string) {
	mi.judged = map[*Migration]bool{}
	mi.released, mi.exact = nil, how
	done := map[string]bool{}
	for _, r := range released {
		done[r] = true
	}
	for _, a := range mi.Apps {
		for _, m := range a.Migrations {
			if !done[a.Label+"."+m.Name] {
				mi.judged[m] = true
			}
		}
	}
	mi.selected = true
}

// SelectReleased decides which migrations are judged. released lists, per
// app, the last migration production has applied ("shop.0012_total");
// "none" means nothing is released (every migration is judged). With
// released empty, the default applies: each app's leaf migrations are
// judged, together with the parents of a leaf that only merges branches
// (no operations), since those branches are as new as the merge.
func (mi *MigrationIndex) SelectReleased(released []string) {
	mi.judged = map[*Migration]bool{}
	mi.released, mi.exact = released, ""
	switch {
	case len(released) == 1 && strings.EqualFold(released[0], "none"):
		for _, m := range mi.All {
			mi.judged[m] = true
		}
	case len(released) > 0:
		last := map[string][]string{}
		for _, r := range released {
			app, name, ok := strings.Cut(r, ".")
			if ok {
				last[app] = append(last[app], name)
			}
		}
		for _, a := range mi.Apps {
			names, listed := last[a.Label]
			if !listed {
				for _, m := range a.Migrations {
					mi.judged[m] = true // an app production does not have
				}
				continue
			}
			done := map[*Migration]bool{}
			for _, n := range names {
				if m := a.ByName[n]; m != nil {
					done[m] = true
					for _, x := range mi.Before(m) {
						done[x] = true
					}
				} else if sq := a.Replaced[n]; sq != nil {
					done[sq] = true
				}
			}
			for _, m := range a.Migrations {
				if !done[m] {
					mi.judged[m] = true
				}
			}
		}
	default:
		mi.young = 0
		for _, a := range mi.Apps {
			if appIsYoung(a) {
				// The whole app was written within a fortnight (a
				// take-home, a feature branch): its tables did not exist
				// before these migrations, so nothing they do can break
				// running code.
				mi.young += len(a.Migrations)
				continue
			}
			for _, leaf := range a.Leaves() {
				mi.judgeLatest(a, leaf, 0)
			}
		}
	}
	mi.selected = true
}

// youngDays is how close an app's newest migration must be to its first
// for the app to count as new in the default selection.
const youngDays = 14

// appIsYoung reports whether every migration of the app carries
// makemigrations' date header and the newest is at most youngDays after
// the oldest. Without dates nothing is assumed.
func appIsYoung(a *MigrationApp) bool {
	if len(a.Migrations) == 0 {
		return false
	}
	var first, last time.Time
	for _, m := range a.Migrations {
		d, err := time.Parse("2006-01-02", m.Generated)
		if err != nil {
			return false
		}
		if first.IsZero() || d.Before(first) {
			first = d
		}
		if d.After(last) {
			last = d
		}
	}
	return last.Sub(first) <= youngDays*24*time.Hour
}

// judgeLatest marks m judged, and, when m only merges (no operations),
// its parents in the app.
func (mi *MigrationIndex) judgeLatest(a *MigrationApp, m *Migration, depth int) {
	if mi.judged[m] || depth > 50 {
		return
	}
	mi.judged[m] = true
	if len(m.Operations) > 0 || m.OperationsUnknown {
		return
	}
	for _, d := range m.Dependencies {
		if d.App == a.Label && !d.Swappable {
			if p := a.Resolve(m, d.Name); p != nil {
				mi.judgeLatest(a, p, depth+1)
			}
		}
	}
}

// Judged reports whether the per-migration rules judge m. Before
// SelectReleased runs (an index built outside the driver) every migration
// is judged.
func (mi *MigrationIndex) Judged(m *Migration) bool {
	if !mi.selected {
		return true
	}
	return mi.judged[m]
}

// NotJudged returns how many migrations are treated as released, and why,
// for the run summary ("" when every migration is judged).
func (mi *MigrationIndex) NotJudged() (int, string) {
	n := 0
	for _, m := range mi.All {
		if !mi.Judged(m) {
			n++
		}
	}
	if n == 0 {
		return 0, ""
	}
	judged := len(mi.All) - n
	if mi.exact != "" {
		return n, fmt.Sprintf("%d of %d migrations not judged: released are %s; %d judged", n, len(mi.All), mi.exact, judged)
	}
	if len(mi.released) > 0 {
		return n, fmt.Sprintf("%d of %d migrations not judged: released up to %s (option `released`); %d judged",
			n, len(mi.All), strings.Join(sortedCopy(mi.released), ", "), judged)
	}
	var why string
	switch older := n - mi.young; {
	case older == 0:
		why = fmt.Sprintf("%d of %s not judged: every app's migrations were generated within %d days of each other, so their tables are new to this code and nothing in production runs on them",
			n, plural(len(mi.All), "migration", "migrations"), youngDays)
	default:
		why = fmt.Sprintf("%d of %s not judged: without a `released` option each app's latest migration is taken as the only one not yet in production",
			n, plural(len(mi.All), "migration", "migrations"))
		if mi.young > 0 {
			why += fmt.Sprintf("; %d of them are in apps whose migrations were all generated within %d days of each other (tables new to this code)", mi.young, youngDays)
		}
	}
	return n, why + fmt.Sprintf(" (%d judged, in %s)", judged, plural(len(mi.Apps), "app", "apps"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
