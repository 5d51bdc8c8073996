package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// InventoryRow is one row of `rubric endpoints --format json`.
type InventoryRow struct {
	Route  string `json:"route"`
	Path   string `json:"path"`
	Line   int    `json:"line"`
	View   string `json:"view"`
	OpenTo string `json:"open_to"`
}

// Inventory returns rubric's endpoint inventory for dir (`rubric endpoints --format json .`).
func (r *Rubric) Inventory(dir string) ([]InventoryRow, error) {
	out, _, err := r.run(dir, "endpoints", "--format", "json", ".")
	if err != nil {
		return nil, err
	}
	var rows []InventoryRow
	if len(strings.TrimSpace(string(out))) == 0 {
		return nil, nil
	}
	if err := json.Unmarshal(out, &rows); err != nil {
		return nil, fmt.Errorf("read rubric's endpoint inventory: %w", err)
	}
	return rows, nil
}

// EndpointResult says whether rubric's inventory lists a labelled endpoint's view.
type EndpointResult struct {
	Route  string `json:"route"`
	View   string `json:"view"`
	Listed bool   `json:"listed"`
}

// labelView reads a label's view, "path:line Name" (Name may be Class.method); false for a label
// naming several views or none in that form, which is not checked.
var labelView = regexp.MustCompile(`^(\S+?):(\d+)\s*(\S*)`)

// MatchInventory checks each labelled endpoint against the inventory: listed when a row has the
// label's path and either its line or a view whose dotted name holds the label's class or function
// (the label may point at a method's line, the inventory at its class).
func MatchInventory(labels []Endpoint, rows []InventoryRow) []EndpointResult {
	var out []EndpointResult
	for _, ep := range labels {
		m := labelView.FindStringSubmatch(ep.View)
		if m == nil || strings.Contains(ep.View, ",") {
			continue
		}
		path, name := m[1], m[3]
		line, _ := strconv.Atoi(m[2])
		first := name
		if i := strings.Index(first, "."); i >= 0 {
			first = first[:i]
		}
		listed := false
		for _, r := range rows {
			if r.Path != path {
				continue
			}
			if r.Line == line || first != "" && dottedHas(r.View, first) {
				listed = true
				break
			}
		}
		out = append(out, EndpointResult{Route: ep.Route, View: ep.View, Listed: listed})
	}
	return out
}

// dottedHas reports whether one dotted part of view is part.
func dottedHas(view, part string) bool {
	for _, p := range strings.Split(view, ".") {
		if p == part {
			return true
		}
	}
	return false
}

// PrintInventory prints how many labelled endpoints rubric's inventory lists, and the others.
func PrintInventory(w io.Writer, results []*SubmissionResult) {
	listed, total := 0, 0
	var missing []string
	for _, r := range results {
		for _, e := range r.Endpoints {
			total++
			if e.Listed {
				listed++
			} else {
				missing = append(missing, fmt.Sprintf("  %s %s (%s)", r.Slug, e.View, e.Route))
			}
		}
	}
	fmt.Fprintf(w, "\nEndpoint inventory: %d of %d labelled endpoints listed\n", listed, total)
	for _, m := range missing {
		fmt.Fprintln(w, m)
	}
}
