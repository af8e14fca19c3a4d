package pytorch

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"unicode/utf8"
)

// The values the unpickler builds. Python's int, float, str, bool and
// None are Go's int64, float64, string, bool and pyNone; containers are
// pointers so that the memo shares them as Python does.
type (
	pyNone  struct{}
	pyBytes []byte
	pyTuple []any
	pyList  struct{ items []any }
	pySet   struct{ items []any }
	// pyDict keeps its entries in insertion order, as Python's dict does.
	pyDict struct {
		keys, vals []any
		index      map[string]int // string keys to their position
	}
	// pyBigInt is an integer beyond int64: kept as a placeholder, since
	// no tensor argument can be one.
	pyBigInt struct{}
	// pyGlobal is an allowed global (a class or function) by its full name.
	pyGlobal struct{ module, name string }
)

func (g pyGlobal) String() string { return g.module + "." + g.name }

func newDict() *pyDict { return &pyDict{} }

// set inserts or replaces key, as d[key] = v does.
func (d *pyDict) set(key, v any) {
	if s, ok := key.(string); ok {
		if i, ok := d.index[s]; ok {
			d.vals[i] = v
			return
		}
		if d.index == nil {
			d.index = map[string]int{}
		}
		d.index[s] = len(d.keys)
	}
	d.keys = append(d.keys, key)
	d.vals = append(d.vals, v)
}

// get returns the value under a string key.
func (d *pyDict) get(key string) (any, bool) {
	i, ok := d.index[key]
	if !ok {
		return nil, false
	}
	return d.vals[i], true
}

// The opcodes of pickle protocols 2 to 5 that the unpickler runs. The text
// opcodes of protocols 0 and 1 that torch.save never writes, and those
// that build arbitrary objects (INST, OBJ, EXT1-4, NEWOBJ_EX) or take
// out-of-band buffers (NEXT_BUFFER, READONLY_BUFFER), are refused.
const (
	opMark           = '('
	opStop           = '.'
	opPop            = '0'
	opPopMark        = '1'
	opDup            = '2'
	opBinInt         = 'J'
	opBinInt1        = 'K'
	opBinInt2        = 'M'
	opNone           = 'N'
	opBinPersID      = 'Q'
	opReduce         = 'R'
	opBinString      = 'T'
	opShortBinString = 'U'
	opBinUnicode     = 'X'
	opAppend         = 'a'
	opBuild          = 'b'
	opGlobal         = 'c'
	opEmptyDict      = '}'
	opAppends        = 'e'
	opBinGet         = 'h'
	opLongBinGet     = 'j'
	opEmptyList      = ']'
	opBinPut         = 'q'
	opLongBinPut     = 'r'
	opSetItem        = 's'
	opTuple          = 't'
	opEmptyTuple     = ')'
	opSetItems       = 'u'
	opBinFloat       = 'G'
	opProto          = 0x80
	opNewObj         = 0x81
	opTuple1         = 0x85
	opTuple2         = 0x86
	opTuple3         = 0x87
	opNewTrue        = 0x88
	opNewFalse       = 0x89
	opLong1          = 0x8a
	opLong4          = 0x8b
	opBinBytes       = 'B'
	opShortBinBytes  = 'C'
	opShortBinUni    = 0x8c
	opBinUnicode8    = 0x8d
	opBinBytes8      = 0x8e
	opEmptySet       = 0x8f
	opAddItems       = 0x90
	opFrozenSet      = 0x91
	opStackGlobal    = 0x93
	opMemoize        = 0x94
	opFrame          = 0x95
	opByteArray8     = 0x96
)

// refusedOps names the opcodes refused outright, for the error.
var refusedOps = map[byte]string{
	'I': "INT", 'L': "LONG", 'F': "FLOAT", 'S': "STRING", 'V': "UNICODE",
	'g': "GET", 'p': "PUT", 'P': "PERSID", 'd': "DICT", 'l': "LIST",
	'i': "INST", 'o': "OBJ", 0x82: "EXT1", 0x83: "EXT2", 0x84: "EXT4",
	0x92: "NEWOBJ_EX", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER",
}

// An unpickler runs a pickle program without executing anything: globals
// resolve only to the entries of the allowed table, and REDUCE calls only
// their Go implementations.
type unpickler struct {
	data  []byte
	pos   int
	stack []any
	marks [][]any // the stacks saved by MARK
	memo  map[uint32]any
	// persistentLoad resolves a BINPERSID id (a storage reference).
	persistentLoad func(pid any) (any, error)
	pushes         int // values pushed so far, bounded by maxValues
}

// pickleError is a malformed pickle: where, and what.
type pickleError struct {
	pos int
	msg string
}

func (e *pickleError) Error() string { return fmt.Sprintf("data.pkl at byte %d: %s", e.pos, e.msg) }

func (u *unpickler) errorf(format string, args ...any) error {
	return &pickleError{pos: u.pos, msg: fmt.Sprintf(format, args...)}
}

// maxMarks bounds nested MARKs (each saves a stack).
const maxMarks = 10000

// maxValues bounds the values a pickle may push and memoize, and with it
// the memory unpickling takes: a state_dict pushes about 20 per tensor.
const maxValues = 1 << 21

// load runs the program to STOP and returns its result.
func (u *unpickler) load() (any, error) {
	u.memo = map[uint32]any{}
	for {
		if u.pos >= len(u.data) {
			return nil, u.errorf("the pickle ends without STOP")
		}
		start := u.pos
		op := u.data[u.pos]
		u.pos++
		done, err := u.step(op)
		if err == nil && (u.pushes > maxValues || len(u.memo) > maxValues) {
			err = u.errorf("more than %d values: too large for a state_dict", maxValues)
		}
		if err != nil {
			if pe, ok := err.(*pickleError); ok && pe.pos > start {
				pe.pos = start
			}
			return nil, err
		}
		if done {
			if len(u.stack) != 1 || len(u.marks) != 0 {
				return nil, &pickleError{pos: start, msg: fmt.Sprintf("STOP with %d values on the stack and %d open marks", len(u.stack), len(u.marks))}
			}
			return u.stack[0], nil
		}
	}
}

func (u *unpickler) step(op byte) (stop bool, err error) {
	switch op {
	case opProto:
		b, err := u.read(1)
		if err != nil {
			return false, err
		}
		if b[0] > 5 {
			return false, u.errorf("pickle protocol %d; resc reads protocols up to 5", b[0])
		}
	case opFrame:
		if _, err := u.read(8); err != nil {
			return false, err
		}
	case opStop:
		return true, nil
	case opMark:
		if len(u.marks) >= maxMarks {
			return false, u.errorf("more than %d nested marks", maxMarks)
		}
		u.marks = append(u.marks, u.stack)
		u.stack = nil
	case opPop:
		if len(u.stack) > 0 {
			_, err := u.pop()
			return false, err
		}
		_, err := u.popMark()
		return false, err
	case opPopMark:
		_, err := u.popMark()
		return false, err
	case opDup:
		v, err := u.top()
		if err != nil {
			return false, err
		}
		u.push(v)
	case opNone:
		u.push(pyNone{})
	case opNewTrue:
		u.push(true)
	case opNewFalse:
		u.push(false)
	case opBinInt:
		b, err := u.read(4)
		if err != nil {
			return false, err
		}
		u.push(int64(int32(binary.LittleEndian.Uint32(b))))
	case opBinInt1:
		b, err := u.read(1)
		if err != nil {
			return false, err
		}
		u.push(int64(b[0]))
	case opBinInt2:
		b, err := u.read(2)
		if err != nil {
			return false, err
		}
		u.push(int64(binary.LittleEndian.Uint16(b)))
	case opLong1, opLong4:
		var n uint64
		if op == opLong1 {
			b, err := u.read(1)
			if err != nil {
				return false, err
			}
			n = uint64(b[0])
		} else {
			b, err := u.read(4)
			if err != nil {
				return false, err
			}
			if n = uint64(binary.LittleEndian.Uint32(b)); int32(n) < 0 {
				return false, u.errorf("LONG4 with a negative length")
			}
		}
		b, err := u.readN(n)
		if err != nil {
			return false, err
		}
		u.push(decodeLong(b))
	case opBinFloat:
		b, err := u.read(8)
		if err != nil {
			return false, err
		}
		u.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case opShortBinUni, opBinUnicode, opBinUnicode8:
		b, err := u.readCounted(op, opShortBinUni, opBinUnicode)
		if err != nil {
			return false, err
		}
		if !utf8.Valid(b) {
			return false, u.errorf("a string that is not valid UTF-8")
		}
		u.push(string(b))
	case opShortBinBytes, opBinBytes, opBinBytes8, opByteArray8:
		b, err := u.readCounted(op, opShortBinBytes, opBinBytes)
		if err != nil {
			return false, err
		}
		u.push(pyBytes(append([]byte{}, b...)))
	case opShortBinString, opBinString:
		// Python 2's str: bytes, read as Latin-1 as torch.load does by default.
		b, err := u.readCounted(op, opShortBinString, opBinString)
		if err != nil {
			return false, err
		}
		u.push(latin1(b))
	case opEmptyTuple:
		u.push(pyTuple{})
	case opTuple1, opTuple2, opTuple3:
		n := int(op-opTuple1) + 1
		if len(u.stack) < n {
			return false, u.errorf("TUPLE%d on a stack of %d", n, len(u.stack))
		}
		t := append(pyTuple{}, u.stack[len(u.stack)-n:]...)
		u.stack = u.stack[:len(u.stack)-n]
		u.push(t)
	case opTuple:
		items, err := u.popMark()
		if err != nil {
			return false, err
		}
		u.push(pyTuple(items))
	case opEmptyList:
		u.push(&pyList{})
	case opEmptyDict:
		u.push(newDict())
	case opEmptySet:
		u.push(&pySet{})
	case opFrozenSet:
		items, err := u.popMark()
		if err != nil {
			return false, err
		}
		u.push(&pySet{items: items})
	case opAppend, opAppends:
		var items []any
		if op == opAppend {
			v, err := u.pop()
			if err != nil {
				return false, err
			}
			items = []any{v}
		} else if items, err = u.popMark(); err != nil {
			return false, err
		}
		v, err := u.top()
		if err != nil {
			return false, err
		}
		l, ok := v.(*pyList)
		if !ok {
			return false, u.errorf("APPEND to %s, not a list", typeName(v))
		}
		l.items = append(l.items, items...)
	case opAddItems:
		items, err := u.popMark()
		if err != nil {
			return false, err
		}
		v, err := u.top()
		if err != nil {
			return false, err
		}
		s, ok := v.(*pySet)
		if !ok {
			return false, u.errorf("ADDITEMS to %s, not a set", typeName(v))
		}
		s.items = append(s.items, items...)
	case opSetItem, opSetItems:
		var items []any
		if op == opSetItem {
			if len(u.stack) < 2 {
				return false, u.errorf("SETITEM on a stack of %d", len(u.stack))
			}
			items = u.stack[len(u.stack)-2:]
			u.stack = u.stack[:len(u.stack)-2]
		} else if items, err = u.popMark(); err != nil {
			return false, err
		}
		if len(items)%2 != 0 {
			return false, u.errorf("SETITEMS with an odd number (%d) of keys and values", len(items))
		}
		v, err := u.top()
		if err != nil {
			return false, err
		}
		d, ok := v.(*pyDict)
		if !ok {
			return false, u.errorf("SETITEM on %s, not a dict", typeName(v))
		}
		for i := 0; i < len(items); i += 2 {
			if !hashable(items[i]) {
				return false, u.errorf("a dict key of type %s, which Python cannot hash", typeName(items[i]))
			}
			d.set(items[i], items[i+1])
		}
	case opBinPut, opLongBinPut:
		idx, err := u.memoIndex(op == opBinPut)
		if err != nil {
			return false, err
		}
		v, err := u.top()
		if err != nil {
			return false, err
		}
		u.memo[idx] = v
	case opMemoize:
		v, err := u.top()
		if err != nil {
			return false, err
		}
		u.memo[uint32(len(u.memo))] = v
	case opBinGet, opLongBinGet:
		idx, err := u.memoIndex(op == opBinGet)
		if err != nil {
			return false, err
		}
		v, ok := u.memo[idx]
		if !ok {
			return false, u.errorf("memo entry %d was never stored", idx)
		}
		u.push(v)
	case opGlobal:
		module, err := u.readLine()
		if err != nil {
			return false, err
		}
		name, err := u.readLine()
		if err != nil {
			return false, err
		}
		g, err := findGlobal(module, name)
		if err != nil {
			return false, err
		}
		u.push(g)
	case opStackGlobal:
		name, err := u.pop()
		if err != nil {
			return false, err
		}
		module, err := u.pop()
		if err != nil {
			return false, err
		}
		ms, ok1 := module.(string)
		ns, ok2 := name.(string)
		if !ok1 || !ok2 {
			return false, u.errorf("STACK_GLOBAL of %s and %s, not strings", typeName(module), typeName(name))
		}
		g, err := findGlobal(ms, ns)
		if err != nil {
			return false, err
		}
		u.push(g)
	case opReduce, opNewObj:
		args, err := u.pop()
		if err != nil {
			return false, err
		}
		fn, err := u.pop()
		if err != nil {
			return false, err
		}
		t, ok := args.(pyTuple)
		if !ok {
			return false, u.errorf("call arguments are %s, not a tuple", typeName(args))
		}
		g, ok := fn.(pyGlobal)
		if !ok {
			return false, u.errorf("a call of %s, not of a global", typeName(fn))
		}
		if op == opNewObj && g != (pyGlobal{"collections", "OrderedDict"}) {
			return false, u.errorf("NEWOBJ of %s: only OrderedDict is created that way", g)
		}
		v, err := call(g, t)
		if err != nil {
			return false, u.errorf("%s: %v", g, err)
		}
		u.push(v)
	case opBuild:
		if _, err := u.pop(); err != nil { // the state
			return false, err
		}
		v, err := u.top()
		if err != nil {
			return false, err
		}
		// OrderedDict's state is its attributes (a state_dict's
		// _metadata), a tensor's those of a Parameter: neither matters
		// for the values, and nothing else may be built.
		switch v.(type) {
		case *pyDict, *tensor:
		default:
			return false, u.errorf("BUILD of %s: only dicts and tensors take a state", typeName(v))
		}
	case opBinPersID:
		pid, err := u.pop()
		if err != nil {
			return false, err
		}
		if u.persistentLoad == nil {
			return false, u.errorf("a persistent id where none is expected")
		}
		v, err := u.persistentLoad(pid)
		if err != nil {
			return false, u.errorf("%v", err)
		}
		u.push(v)
	default:
		if name, ok := refusedOps[op]; ok {
			return false, u.errorf("opcode %s, which torch.save does not write, is not supported", name)
		}
		return false, u.errorf("unknown opcode 0x%02x", op)
	}
	return false, nil
}

func (u *unpickler) push(v any) {
	u.pushes++
	u.stack = append(u.stack, v)
}

func (u *unpickler) pop() (any, error) {
	if len(u.stack) == 0 {
		return nil, u.errorf("pop from an empty stack")
	}
	v := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	return v, nil
}

func (u *unpickler) top() (any, error) {
	if len(u.stack) == 0 {
		return nil, u.errorf("an empty stack")
	}
	return u.stack[len(u.stack)-1], nil
}

// popMark returns the values pushed since the last MARK and restores the
// stack from before it.
func (u *unpickler) popMark() ([]any, error) {
	if len(u.marks) == 0 {
		return nil, u.errorf("no MARK to pop to")
	}
	items := u.stack
	u.stack = u.marks[len(u.marks)-1]
	u.marks = u.marks[:len(u.marks)-1]
	return items, nil
}

func (u *unpickler) read(n int) ([]byte, error) {
	if len(u.data)-u.pos < n {
		return nil, u.errorf("the pickle ends inside an opcode's argument")
	}
	b := u.data[u.pos : u.pos+n]
	u.pos += n
	return b, nil
}

func (u *unpickler) readN(n uint64) ([]byte, error) {
	if uint64(len(u.data)-u.pos) < n {
		return nil, u.errorf("a length of %d runs past the end of the pickle", n)
	}
	return u.read(int(n))
}

// readCounted reads the bytes of a string or bytes opcode: a 1-byte
// length for the short form, 4 bytes for the long one, else 8.
func (u *unpickler) readCounted(op, short, long byte) ([]byte, error) {
	size := 8
	switch op {
	case short:
		size = 1
	case long:
		size = 4
	}
	b, err := u.read(size)
	if err != nil {
		return nil, err
	}
	var n uint64
	switch size {
	case 1:
		n = uint64(b[0])
	case 4:
		n = uint64(binary.LittleEndian.Uint32(b))
		if op == opBinString && int32(n) < 0 {
			return nil, u.errorf("BINSTRING with a negative length")
		}
	default:
		n = binary.LittleEndian.Uint64(b)
	}
	return u.readN(n)
}

// readLine reads a GLOBAL argument up to its newline.
func (u *unpickler) readLine() (string, error) {
	for i := u.pos; i < len(u.data) && i-u.pos < 256; i++ {
		if u.data[i] == '\n' {
			s := string(u.data[u.pos:i])
			u.pos = i + 1
			if !utf8.ValidString(s) {
				return "", u.errorf("a GLOBAL name that is not valid UTF-8")
			}
			return s, nil
		}
	}
	if len(u.data)-u.pos < 256 {
		return "", u.errorf("the pickle ends inside a GLOBAL name")
	}
	return "", u.errorf("a GLOBAL name without a newline within 256 bytes")
}

// decodeLong reads a little-endian two's-complement integer.
func decodeLong(b []byte) any {
	if len(b) == 0 {
		return int64(0)
	}
	if len(b) <= 8 {
		var v uint64
		for i := len(b) - 1; i >= 0; i-- {
			v = v<<8 | uint64(b[i])
		}
		shift := uint(64 - 8*len(b))
		return int64(v<<shift) >> shift
	}
	// Longer encodings may still hold a small value (leading sign bytes).
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	n := new(big.Int).SetBytes(be)
	if b[len(b)-1]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
	}
	if n.IsInt64() {
		return n.Int64()
	}
	return pyBigInt{}
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// hashable reports whether Python could use v as a dict key, looking at
// v itself only: a tuple holding a list passes (harmlessly), and no
// nesting is walked, so no input can make it recurse.
func hashable(v any) bool {
	switch v.(type) {
	case *pyList, *pyDict, *pySet:
		return false
	}
	return true
}

// typeName names a value's Python type for errors.
func typeName(v any) string {
	switch v := v.(type) {
	case pyNone:
		return "None"
	case bool:
		return "a bool"
	case int64, pyBigInt:
		return "an int"
	case float64:
		return "a float"
	case string:
		return "a str"
	case pyBytes:
		return "bytes"
	case pyTuple:
		return "a tuple"
	case *pyList:
		return "a list"
	case *pyDict:
		return "a dict"
	case *pySet:
		return "a set"
	case pyGlobal:
		return v.String()
	case *storage:
		return "a storage"
	case *tensor:
		return "a tensor"
	}
	return fmt.Sprintf("%T", v)
}

// memoIndex reads a memo index: one byte for BINPUT and BINGET, four
// little-endian bytes for their LONG forms.
func (u *unpickler) memoIndex(short bool) (uint32, error) {
	if short {
		b, err := u.read(1)
		if err != nil {
			return 0, err
		}
		return uint32(b[0]), nil
	}
	b, err := u.read(4)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}
