package report

import "slices"

// indexView returns what the batch index reads of r: the header, and per
// area its counts, band and items without their evidence. A batch keeps
// this of each submission once the submission's own reports are written,
// so that its memory is one submission's analysis plus a few kilobytes a
// row, not every report whole (evidence, signals, suppressions, the model
// graph).
func (r *Report) indexView() *Report {
	v := &Report{Header: r.Header, Areas: make([]Area, len(r.Areas))}
	for i, a := range r.Areas {
		a.Items = slices.Clone(a.Items)
		for j := range a.Items {
			a.Items[j].Evidence = nil
		}
		v.Areas[i] = a
	}
	return v
}
