package pyast

// ParamNames returns the names of a function definition's plain, typed and
// defaulted parameters, in order (*args, **kwargs and the / and * markers
// are left out).
func ParamNames(fn Node) []string {
	var out []string
	for p := range fn.ChildByField("parameters").Named() {
		switch p.Type() {
		case "identifier":
			out = append(out, p.Text())
		case "typed_parameter":
			if id := p.NamedChild(0); id.Type() == "identifier" { // not *args: T
				out = append(out, id.Text())
			}
		case "default_parameter", "typed_default_parameter":
			out = append(out, p.ChildByField("name").Text())
		}
	}
	return out
}
