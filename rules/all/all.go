// Package all is the registry: every rule rubric has, as an explicit list.
package all

import (
	"github.com/rubric-dev/rubric/analyzer"
	"github.com/rubric-dev/rubric/rules/exceptions"
	"github.com/rubric-dev/rubric/rules/orm"
)

// Rules returns every rule, built-in ones first, then by family.
func Rules() []*analyzer.Rule {
	rs := analyzer.BuiltinRules()
	rs = append(rs,
		exceptions.BareExcept,
		orm.NPlusOne,
		orm.RelatedManagerPerRow,
		orm.QueryInLoop,
		orm.WriteInLoop,
		orm.WastefulEvaluation,
		orm.UnboundedList,
		orm.MissingIndex,
		orm.SerializerRelations,
	)
	return rs
}

// ByCode finds a rule by code (case-insensitive) or name.
func ByCode(code string) *analyzer.Rule {
	for _, r := range Rules() {
		if equalFold(r.Code, code) || r.Name == code {
			return r
		}
	}
	return nil
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 32
		}
		if 'a' <= y && y <= 'z' {
			y -= 32
		}
		if x != y {
			return false
		}
	}
	return true
}
