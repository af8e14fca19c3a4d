package compiler

import (
	"strconv"
	"strings"
)

// listElemTypes are the list parameter types --set can give: lists of the
// scalars it reads one by one.
var listElemTypes = map[string]string{"list[int]": "int", "list[float]": "float", "list[bool]": "bool"}

// settableType reports whether --set can give a parameter of type typ.
func settableType(typ string) bool {
	switch typ {
	case "int", "float", "bool", "string":
		return true
	}
	_, ok := listElemTypes[typ]
	return ok
}

// parseListArg reads a --set list value: comma-separated elements, with or
// without brackets ("1,2,3", "[1, 2, 3]", "[]" for none). ok is false when
// typ is not a settable list type; err names the element that is wrong.
func parseListArg(net, name, typ, text string) (v Value, ok bool, err error) {
	elem, ok := listElemTypes[typ]
	if !ok {
		return nil, false, nil
	}
	body := strings.TrimSpace(text)
	if inner, cut := strings.CutPrefix(body, "["); cut {
		var closed bool
		if body, closed = strings.CutSuffix(inner, "]"); !closed {
			return nil, true, argErrorf("--set %s=%s: a list needs its closing ]", name, text)
		}
	}
	list := []Value{}
	if strings.TrimSpace(body) == "" {
		return list, true, nil
	}
	for _, part := range strings.Split(body, ",") {
		part = strings.TrimSpace(part)
		var x Value
		var perr error
		switch elem {
		case "int":
			x, perr = strconv.ParseInt(part, 10, 64)
		case "float":
			x, perr = strconv.ParseFloat(part, 64)
		case "bool":
			x, perr = strconv.ParseBool(part)
		}
		if perr != nil {
			return nil, true, argErrorf("--set %s=%s: %s of %s is a %s, written like 1,2,3 or [1, 2, 3]; %q is not %s", name, text, name, net, typ, part, article(elem))
		}
		list = append(list, x)
	}
	return list, true, nil
}
