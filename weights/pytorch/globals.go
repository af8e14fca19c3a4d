package pytorch

import (
	"fmt"
	"strings"

	"github.com/resc-dev/resc/weights/safetensors"
)

// storageTypes are the typed storages torch.save names in its persistent
// ids (torch.FloatStorage...), with the element type each holds.
var storageTypes = map[string]safetensors.DType{
	"FloatStorage":    safetensors.F32,
	"HalfStorage":     safetensors.F16,
	"BFloat16Storage": safetensors.BF16,
	"DoubleStorage":   safetensors.F64,
	"LongStorage":     safetensors.I64,
	"IntStorage":      safetensors.I32,
	"ShortStorage":    safetensors.I16,
	"CharStorage":     safetensors.I8,
	"ByteStorage":     safetensors.U8,
	"BoolStorage":     safetensors.BOOL,
}

// callables are the globals a pickle may call, by full name: the ones
// torch.save writes for tensors and state_dicts, and the containers that
// pickle protocol 2 spells as calls. Everything else is refused by name,
// as torch.load(weights_only=True) refuses it.
var callables = map[string]func(args pyTuple) (any, error){
	"collections.OrderedDict":                    newOrderedDict,
	"torch._utils._rebuild_tensor_v2":            rebuildTensorV2,
	"torch._utils._rebuild_tensor":               rebuildTensor,
	"torch._utils._rebuild_parameter":            rebuildParameter,
	"torch._utils._rebuild_parameter_with_state": rebuildParameter,
	"torch.Size":                          newSize,
	"builtins.set":                        newSet,
	"builtins.frozenset":                  newSet,
	"_codecs.encode":                      encodeLatin1,
	"torch._tensor._rebuild_from_type_v2": rebuildFromType,
}

// tensorTypes are the classes a tensor may be rebuilt as: named, never
// called.
var tensorTypes = map[string]bool{
	"torch.Tensor":                 true,
	"torch.nn.parameter.Parameter": true,
}

// A RefusedError is a pickle that names a global resc will not load: a
// class or function that unpickling would run.
type RefusedError struct {
	Global string // "os.system"
}

func (e *RefusedError) Error() string {
	msg := fmt.Sprintf("refused to load %s, which the checkpoint's pickle names: resc runs nothing from a file and allows only tensors, their storages and plain containers (as torch.load(weights_only=True) does)", e.Global)
	for _, p := range []string{"__main__.", "torchvision.", "timm.", "torch.nn.", "torch.optim.", "argparse."} {
		if strings.HasPrefix(e.Global, p) {
			return msg + "; the file holds a pickled object, not just weights: save the state_dict alone, torch.save(model.state_dict(), \"weights.pth\")"
		}
	}
	return msg
}

// findGlobal resolves a GLOBAL or STACK_GLOBAL: an allowed callable or a
// storage type, or a *RefusedError.
func findGlobal(module, name string) (any, error) {
	g := pyGlobal{module, name}
	if module == "torch" {
		if _, ok := storageTypes[name]; ok {
			return g, nil
		}
		if strings.HasSuffix(name, "Storage") {
			return nil, fmt.Errorf("storage type torch.%s is not supported: resc reads float32, float16, bfloat16, float64, integer and bool storages", name)
		}
	}
	if _, ok := callables[g.String()]; ok || tensorTypes[g.String()] {
		return g, nil
	}
	return nil, &RefusedError{Global: g.String()}
}

// call applies an allowed callable to its arguments.
func call(g pyGlobal, args pyTuple) (any, error) {
	f, ok := callables[g.String()]
	if !ok {
		return nil, fmt.Errorf("%s is not callable", g)
	}
	return f(args)
}

func newOrderedDict(args pyTuple) (any, error) {
	d := newDict()
	switch len(args) {
	case 0:
		return d, nil
	case 1:
		// OrderedDict(pairs): a list or tuple of (key, value) tuples.
		var items []any
		switch v := args[0].(type) {
		case *pyList:
			items = v.items
		case pyTuple:
			items = v
		default:
			return nil, fmt.Errorf("an argument of %s, not a list of pairs", typeName(args[0]))
		}
		for _, it := range items {
			p, ok := it.(pyTuple)
			if !ok || len(p) != 2 || !hashable(p[0]) {
				return nil, fmt.Errorf("an item of %s, not a (key, value) pair", typeName(it))
			}
			d.set(p[0], p[1])
		}
		return d, nil
	}
	return nil, fmt.Errorf("%d arguments, want at most 1", len(args))
}

// rebuildTensorV2 is _rebuild_tensor_v2(storage, storage_offset, size,
// stride, requires_grad, backward_hooks[, metadata]).
func rebuildTensorV2(args pyTuple) (any, error) {
	if len(args) != 6 && len(args) != 7 {
		return nil, fmt.Errorf("%d arguments, want 6 or 7", len(args))
	}
	return rebuildTensor(args[:4])
}

// rebuildTensor is _rebuild_tensor(storage, storage_offset, size, stride).
func rebuildTensor(args pyTuple) (any, error) {
	if len(args) != 4 {
		return nil, fmt.Errorf("%d arguments, want 4", len(args))
	}
	s, ok := args[0].(*storage)
	if !ok {
		return nil, fmt.Errorf("the storage is %s", typeName(args[0]))
	}
	offset, ok := args[1].(int64)
	if !ok {
		return nil, fmt.Errorf("the storage offset is %s, not an int", typeName(args[1]))
	}
	size, err := intTuple(args[2], "size")
	if err != nil {
		return nil, err
	}
	stride, err := intTuple(args[3], "stride")
	if err != nil {
		return nil, err
	}
	return newTensor(s, offset, size, stride)
}

// rebuildParameter is _rebuild_parameter(data, requires_grad,
// backward_hooks) and _rebuild_parameter_with_state(..., state): the
// Parameter's tensor.
func rebuildParameter(args pyTuple) (any, error) {
	if len(args) != 3 && len(args) != 4 {
		return nil, fmt.Errorf("%d arguments, want 3 or 4", len(args))
	}
	t, ok := args[0].(*tensor)
	if !ok {
		return nil, fmt.Errorf("the data is %s, not a tensor", typeName(args[0]))
	}
	return t, nil
}

// rebuildFromType is _rebuild_from_type_v2(func, new_type, args, state),
// which torch writes for a tensor that carries Python attributes: func
// (an allowed rebuild) applied to args. The type must be a tensor class
// and the attributes do not matter for the values.
func rebuildFromType(args pyTuple) (any, error) {
	if len(args) != 4 {
		return nil, fmt.Errorf("%d arguments, want 4", len(args))
	}
	fn, ok1 := args[0].(pyGlobal)
	typ, ok2 := args[1].(pyGlobal)
	inner, ok3 := args[2].(pyTuple)
	if !ok1 || !ok2 || !ok3 || !tensorTypes[typ.String()] {
		return nil, fmt.Errorf("arguments of %s, %s and %s, not a rebuild function, a tensor type and a tuple",
			typeName(args[0]), typeName(args[1]), typeName(args[2]))
	}
	rebuild, ok := tensorRebuilds[fn.String()]
	if !ok {
		return nil, fmt.Errorf("%s is not a tensor rebuild", fn)
	}
	return rebuild(inner)
}

// tensorRebuilds are the functions _rebuild_from_type_v2 may apply.
var tensorRebuilds = map[string]func(args pyTuple) (any, error){
	"torch._utils._rebuild_tensor_v2":            rebuildTensorV2,
	"torch._utils._rebuild_tensor":               rebuildTensor,
	"torch._utils._rebuild_parameter":            rebuildParameter,
	"torch._utils._rebuild_parameter_with_state": rebuildParameter,
}

func newSize(args pyTuple) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("%d arguments, want 1", len(args))
	}
	dims, err := intTuple(args[0], "size")
	if err != nil {
		return nil, err
	}
	t := make(pyTuple, len(dims))
	for i, d := range dims {
		t[i] = d
	}
	return t, nil
}

func newSet(args pyTuple) (any, error) {
	switch len(args) {
	case 0:
		return &pySet{}, nil
	case 1:
		switch v := args[0].(type) {
		case *pyList:
			return &pySet{items: append([]any{}, v.items...)}, nil
		case pyTuple:
			return &pySet{items: append([]any{}, v...)}, nil
		}
		return nil, fmt.Errorf("an argument of %s, not a list", typeName(args[0]))
	}
	return nil, fmt.Errorf("%d arguments, want at most 1", len(args))
}

// encodeLatin1 is _codecs.encode(str, "latin1"), protocol 2's spelling of
// a bytes object.
func encodeLatin1(args pyTuple) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("%d arguments, want 2", len(args))
	}
	s, ok1 := args[0].(string)
	enc, ok2 := args[1].(string)
	if !ok1 || !ok2 || (enc != "latin1" && enc != "latin-1") {
		return nil, fmt.Errorf("only encode(str, \"latin1\") is supported")
	}
	b := make(pyBytes, 0, len(s))
	for _, r := range s {
		if r > 0xff {
			return nil, fmt.Errorf("a character beyond Latin-1")
		}
		b = append(b, byte(r))
	}
	return b, nil
}

// intTuple reads a tuple of non-negative ints (a size or stride).
func intTuple(v any, what string) ([]int64, error) {
	t, ok := v.(pyTuple)
	if !ok {
		return nil, fmt.Errorf("the %s is %s, not a tuple", what, typeName(v))
	}
	if len(t) > maxDims {
		return nil, fmt.Errorf("the %s has %d dimensions; at most %d are supported", what, len(t), maxDims)
	}
	out := make([]int64, len(t))
	for i, x := range t {
		n, ok := x.(int64)
		if !ok || n < 0 {
			return nil, fmt.Errorf("the %s holds %v, not a non-negative int", what, describe(x))
		}
		out[i] = n
	}
	return out, nil
}

// describe shows a scalar's value, or the type of anything else.
func describe(v any) string {
	switch v := v.(type) {
	case int64, float64, bool:
		return fmt.Sprint(v)
	}
	return typeName(v)
}
