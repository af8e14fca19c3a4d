// Package safetensors reads and writes the safetensors format used by
// Hugging Face, PyTorch and Keras to store named tensors.
//
// A file is an 8-byte little-endian unsigned header length N, then N bytes
// of JSON header, then the raw little-endian tensor data:
//
//	{"__metadata__": {"format": "pt"},
//	 "conv1.weight": {"dtype": "F32", "shape": [64, 3, 7, 7], "data_offsets": [0, 37632]},
//	 ...}
//
// Offsets are relative to the start of the data; the tensors must tile the
// data exactly, without gaps or overlaps, in some order.
//
// Reading converts the float dtypes F32, F16, BF16 and F64 to float32
// (Tensor.Data). Tensors of other dtypes, such as the I64 num_batches_tracked
// buffers of PyTorch batch norms, are reported with their raw bytes
// (Tensor.Raw) and IsWeight false, so that callers can skip them. Malformed
// files are rejected with an error, never a panic.
//
// Writing is deterministic: the header is compact JSON with every object's
// keys sorted bytewise, padded with spaces to a multiple of 8 bytes as the
// reference implementation does, and weights are written as F32.
package safetensors

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/resc-dev/resc/internal/atomicfile"
	"github.com/resc-dev/resc/internal/userfile"
)

// MaxHeaderSize bounds the JSON header, as the reference implementation
// does (100 MB); a larger declared length is taken for a corrupt file.
const MaxHeaderSize = 100_000_000

// metadataKey is the reserved header key for the string-to-string metadata.
const metadataKey = "__metadata__"

// DType is a safetensors element type, as spelled in the header ("F32").
type DType string

// The element types of the format.
const (
	BOOL   DType = "BOOL"
	U8     DType = "U8"
	I8     DType = "I8"
	F8E5M2 DType = "F8_E5M2"
	F8E4M3 DType = "F8_E4M3"
	F8E8M0 DType = "F8_E8M0"
	F4     DType = "F4"
	F6E2M3 DType = "F6_E2M3"
	F6E3M2 DType = "F6_E3M2"
	I16    DType = "I16"
	U16    DType = "U16"
	F16    DType = "F16"
	BF16   DType = "BF16"
	I32    DType = "I32"
	U32    DType = "U32"
	F32    DType = "F32"
	F64    DType = "F64"
	I64    DType = "I64"
	U64    DType = "U64"
	C64    DType = "C64"
)

// dtypeBits is the size of one element in bits for every known dtype.
var dtypeBits = map[DType]int{
	BOOL: 8, U8: 8, I8: 8, F8E5M2: 8, F8E4M3: 8, F8E8M0: 8,
	F4: 4, F6E2M3: 6, F6E3M2: 6,
	I16: 16, U16: 16, F16: 16, BF16: 16,
	I32: 32, U32: 32, F32: 32,
	F64: 64, I64: 64, U64: 64, C64: 64,
}

// Bits is the size of one element in bits, 0 for an unknown dtype.
func (d DType) Bits() int { return dtypeBits[d] }

// IsFloat reports whether tensors of this dtype are read as weights:
// F32, F16, BF16 and F64, converted to float32.
func (d DType) IsFloat() bool {
	switch d {
	case F32, F16, BF16, F64:
		return true
	}
	return false
}

// A Tensor is one named tensor of a file.
type Tensor struct {
	Name string
	// DType is the type stored in the file. Tensors written from Data are
	// always F32, whatever DType says.
	DType DType
	Shape []int
	// Data holds the values of a float tensor (IsWeight), converted to
	// float32; nil for other dtypes.
	Data []float32
	// Raw holds the little-endian bytes of a tensor that is not a weight
	// (an integer or boolean buffer, an 8-bit float); nil for weights.
	Raw []byte
}

// IsWeight reports whether the tensor holds float values in Data.
func (t *Tensor) IsWeight() bool { return t.DType.IsFloat() }

// NumElements is the product of the shape (1 for a scalar).
func (t *Tensor) NumElements() int {
	n, ok := numElements(t.Shape, math.MaxInt)
	if !ok {
		return -1
	}
	return int(n)
}

// A File is the content of a safetensors file.
type File struct {
	// Metadata is the optional "__metadata__" map; nil when absent.
	Metadata map[string]string
	// Tensors are sorted by name.
	Tensors []Tensor
}

// Tensor returns the tensor called name, or nil.
func (f *File) Tensor(name string) *Tensor {
	i := sort.Search(len(f.Tensors), func(i int) bool { return f.Tensors[i].Name >= name })
	if i < len(f.Tensors) && f.Tensors[i].Name == name {
		return &f.Tensors[i]
	}
	return nil
}

// MaxFileBytes bounds the files ReadFile reads, which it holds in memory
// whole: far above any ResNet's weights, far below what a mistaken path
// could make it allocate.
const MaxFileBytes = 16 << 30

// ReadFile reads and decodes the file at path, a regular file of at most
// MaxFileBytes.
func ReadFile(path string) (*File, error) {
	data, err := userfile.Read(path, MaxFileBytes, "weights files")
	if err != nil {
		return nil, err
	}
	f, err := Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// errorf makes the errors of malformed input, all prefixed alike.
func errorf(format string, args ...any) error {
	return fmt.Errorf("invalid safetensors file: "+format, args...)
}

// An Entry is one tensor's entry in the JSON header: what a file says of
// a tensor before its data is read.
type Entry struct {
	Name       string
	DType      DType
	Shape      []int
	begin, end uint64 // offsets into the data, checked to tile it
}

// IsWeight reports whether the tensor holds float values, read as float32.
func (e *Entry) IsWeight() bool { return e.DType.IsFloat() }

// Read decodes a whole safetensors file held in data.
func Read(data []byte) (*File, error) {
	n, err := headerLength(data, uint64(len(data)))
	if err != nil {
		return nil, err
	}
	meta, entries, err := layout(data[8:8+n], uint64(len(data))-8-n)
	if err != nil {
		return nil, err
	}
	body := data[8+n:]
	f := &File{Metadata: meta, Tensors: make([]Tensor, len(entries))}
	for i := range entries {
		e := &entries[i]
		f.Tensors[i] = e.tensor(body[e.begin:e.end])
	}
	sort.Slice(f.Tensors, func(i, j int) bool { return f.Tensors[i].Name < f.Tensors[j].Name })
	return f, nil
}

// tensor makes the Tensor of an entry from its raw bytes: floats decoded,
// other dtypes copied.
func (e *Entry) tensor(raw []byte) Tensor {
	t := Tensor{Name: e.Name, DType: e.DType, Shape: e.Shape}
	if e.IsWeight() {
		t.Data = make([]float32, len(raw)*8/e.DType.Bits())
		decodeFloats(e.DType, t.Data, raw)
	} else {
		t.Raw = bytes.Clone(raw)
		if t.Raw == nil {
			t.Raw = []byte{}
		}
	}
	return t
}

// headerLength checks the 8-byte header length that starts a file of size
// bytes (prefix holds at least its first 8 bytes when size allows) and
// returns it.
func headerLength(prefix []byte, size uint64) (uint64, error) {
	if size < 8 {
		return 0, errorf("%d bytes, too short for the 8-byte header length", size)
	}
	n := binary.LittleEndian.Uint64(prefix)
	if n > MaxHeaderSize {
		return 0, errorf("header length %d exceeds the limit of %d bytes", n, MaxHeaderSize)
	}
	if n > size-8 {
		return 0, errorf("header length %d runs past the end of the file (%d bytes after the length)", n, size-8)
	}
	return n, nil
}

// layout parses the JSON header hdr and checks that its entries tile the
// bodyLen bytes of data that follow it. Read and Open both go through it,
// so that they accept the same files.
func layout(hdr []byte, bodyLen uint64) (map[string]string, []Entry, error) {
	meta, entries, err := parseHeader(hdr)
	if err != nil {
		return nil, nil, err
	}

	// The tensors must tile the data: sorted by offset, each begins where
	// the previous one ends, the first at 0, the last at the end.
	order := make([]*Entry, len(entries))
	for i := range entries {
		order[i] = &entries[i]
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].begin != order[j].begin {
			return order[i].begin < order[j].begin
		}
		if order[i].end != order[j].end {
			return order[i].end < order[j].end
		}
		return order[i].Name < order[j].Name
	})
	var pos uint64
	for _, h := range order {
		if h.end < h.begin {
			return nil, nil, errorf("tensor %q: data_offsets [%d,%d] end before they begin", h.Name, h.begin, h.end)
		}
		if h.end > bodyLen {
			return nil, nil, errorf("tensor %q: data_offsets [%d,%d] run past the end of the data (%d bytes)", h.Name, h.begin, h.end, bodyLen)
		}
		switch {
		case h.begin < pos:
			return nil, nil, errorf("tensor %q: data_offsets [%d,%d] overlap the previous tensor, which ends at %d", h.Name, h.begin, h.end, pos)
		case h.begin > pos:
			return nil, nil, errorf("tensor %q: data_offsets [%d,%d] leave a gap after offset %d", h.Name, h.begin, h.end, pos)
		}
		bits := h.DType.Bits()
		count, ok := numElements(h.Shape, (h.end-h.begin)*8/uint64(bits)+1)
		if !ok || count*uint64(bits) != (h.end-h.begin)*8 {
			want := "too many"
			if ok {
				if count*uint64(bits)%8 != 0 {
					return nil, nil, errorf("tensor %q: shape %s of %s is not a whole number of bytes", h.Name, FormatShape(h.Shape), h.DType)
				}
				want = strconv.FormatUint(count*uint64(bits)/8, 10)
			}
			return nil, nil, errorf("tensor %q: data_offsets [%d,%d] hold %d bytes, but shape %s of %s needs %s",
				h.Name, h.begin, h.end, h.end-h.begin, FormatShape(h.Shape), h.DType, want)
		}
		pos = h.end
	}
	if pos != bodyLen {
		return nil, nil, errorf("the tensors cover %d bytes of data, but the file has %d", pos, bodyLen)
	}
	return meta, entries, nil
}

// numElements multiplies the dimensions; ok is false when the product
// exceeds limit (a dimension of 0 makes it 0 whatever the others).
func numElements(shape []int, limit uint64) (n uint64, ok bool) {
	for _, d := range shape {
		if d == 0 {
			return 0, true
		}
	}
	n = 1
	for _, d := range shape {
		if d < 0 || uint64(d) > limit/n {
			return 0, false
		}
		n *= uint64(d)
	}
	return n, n <= limit
}

// parseHeader decodes the JSON header strictly: an object whose keys are
// tensor names (each once) and optionally "__metadata__".
func parseHeader(hdr []byte) (map[string]string, []Entry, error) {
	if !utf8.Valid(hdr) {
		return nil, nil, errorf("header is not valid UTF-8")
	}
	if len(hdr) == 0 || hdr[0] != '{' {
		return nil, nil, errorf("header does not start with '{'")
	}
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	bad := func(err error) error { return errorf("bad JSON header: %v", err) }
	if _, err := dec.Token(); err != nil {
		return nil, nil, bad(err)
	}
	var (
		meta    map[string]string
		hasMeta bool
		entries []Entry
		seen    = map[string]bool{}
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, bad(err)
		}
		name := tok.(string) // object keys are always strings
		if name == metadataKey {
			if hasMeta {
				return nil, nil, errorf("%q appears twice in the header", metadataKey)
			}
			hasMeta = true
			if meta, err = parseMetadata(dec); err != nil {
				return nil, nil, err
			}
			continue
		}
		if seen[name] {
			return nil, nil, errorf("tensor %q appears twice in the header", name)
		}
		seen[name] = true
		h, err := parseEntry(dec, name)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, h)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, bad(err)
	}
	// Only whitespace (the reference pads with spaces) may follow.
	if tok, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = fmt.Errorf("%v after the header object", tok)
		}
		return nil, nil, bad(err)
	}
	return meta, entries, nil
}

func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return errorf("bad JSON header: %v", err)
	}
	if tok != d {
		return errorf("%s: want %q, found %v", what, string(d), tokenString(tok))
	}
	return nil
}

func tokenString(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return strconv.Quote(t)
	case nil:
		return "null"
	}
	return fmt.Sprint(tok)
}

func parseMetadata(dec *json.Decoder) (map[string]string, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, errorf("bad JSON header: %v", err)
	}
	if tok == nil {
		return nil, nil // "__metadata__": null, as an absent map
	}
	if tok != json.Delim('{') {
		return nil, errorf("%s: want an object of strings, found %v", metadataKey, tokenString(tok))
	}
	meta := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errorf("bad JSON header: %v", err)
		}
		k := tok.(string)
		if _, dup := meta[k]; dup {
			return nil, errorf("%s: key %q appears twice", metadataKey, k)
		}
		tok, err = dec.Token()
		if err != nil {
			return nil, errorf("bad JSON header: %v", err)
		}
		v, ok := tok.(string)
		if !ok {
			return nil, errorf("%s: value of %q is %v, not a string", metadataKey, k, tokenString(tok))
		}
		meta[k] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, errorf("bad JSON header: %v", err)
	}
	return meta, nil
}

func parseEntry(dec *json.Decoder, name string) (Entry, error) {
	h := Entry{Name: name}
	what := fmt.Sprintf("tensor %q", name)
	if err := expectDelim(dec, '{', what); err != nil {
		return h, err
	}
	var hasDType, hasShape, hasOffsets bool
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return h, errorf("bad JSON header: %v", err)
		}
		key := tok.(string)
		dup := false
		switch key {
		case "dtype":
			dup, hasDType = hasDType, true
			tok, err := dec.Token()
			if err != nil {
				return h, errorf("bad JSON header: %v", err)
			}
			s, ok := tok.(string)
			if !ok {
				return h, errorf("%s: dtype is %v, not a string", what, tokenString(tok))
			}
			h.DType = DType(s)
			if h.DType.Bits() == 0 {
				return h, errorf("%s: unknown dtype %q", what, s)
			}
		case "shape":
			dup, hasShape = hasShape, true
			dims, err := parseUints(dec, what+": shape")
			if err != nil {
				return h, err
			}
			h.Shape = make([]int, len(dims))
			for i, d := range dims {
				if d > math.MaxInt64 || d > uint64(math.MaxInt) {
					return h, errorf("%s: dimension %d is too large", what, d)
				}
				h.Shape[i] = int(d)
			}
		case "data_offsets":
			dup, hasOffsets = hasOffsets, true
			offs, err := parseUints(dec, what+": data_offsets")
			if err != nil {
				return h, err
			}
			if len(offs) != 2 {
				return h, errorf("%s: data_offsets has %d numbers, want 2", what, len(offs))
			}
			h.begin, h.end = offs[0], offs[1]
		default:
			// Unknown fields are skipped, as the reference does.
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return h, errorf("bad JSON header: %v", err)
			}
		}
		if dup {
			return h, errorf("%s: %q appears twice", what, key)
		}
	}
	if _, err := dec.Token(); err != nil {
		return h, errorf("bad JSON header: %v", err)
	}
	switch {
	case !hasDType:
		return h, errorf("%s has no dtype", what)
	case !hasShape:
		return h, errorf("%s has no shape", what)
	case !hasOffsets:
		return h, errorf("%s has no data_offsets", what)
	}
	return h, nil
}

// parseUints reads a JSON array of non-negative integers.
func parseUints(dec *json.Decoder, what string) ([]uint64, error) {
	if err := expectDelim(dec, '[', what); err != nil {
		return nil, err
	}
	out := []uint64{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errorf("bad JSON header: %v", err)
		}
		num, ok := tok.(json.Number)
		if !ok {
			return nil, errorf("%s: %v is not a number", what, tokenString(tok))
		}
		v, err := strconv.ParseUint(string(num), 10, 64)
		if err != nil {
			return nil, errorf("%s: %s is not a non-negative integer", what, num)
		}
		out = append(out, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, errorf("bad JSON header: %v", err)
	}
	return out, nil
}

// decodeFloats converts the little-endian floats of a float dtype in raw
// to float32 in out, which has room for them all.
func decodeFloats(d DType, out []float32, raw []byte) {
	size := d.Bits() / 8
	for i := range len(raw) / size {
		b := raw[i*size:]
		switch d {
		case F32:
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b))
		case F16:
			out[i] = HalfToFloat32(binary.LittleEndian.Uint16(b))
		case BF16:
			out[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16)
		case F64:
			out[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b)))
		}
	}
}

// HalfToFloat32 converts an IEEE 754 binary16 value exactly, subnormals,
// infinities and NaN payloads included.
func HalfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // infinity or NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+127-15)<<23 | frac<<13)
	case frac == 0: // signed zero
		return math.Float32frombits(sign)
	}
	// Subnormal: normalise the fraction.
	e := uint32(127 - 15 + 1)
	for frac&0x400 == 0 {
		frac <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (frac&0x3ff)<<13)
}

// FormatShape writes a shape as [a,b,c].
func FormatShape(shape []int) string {
	var b []byte
	b = append(b, '[')
	for i, d := range shape {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(d), 10)
	}
	return string(append(b, ']'))
}

// Encode serialises tensors and metadata (nil or empty for none) as a
// safetensors file. Tensors whose DType is a float type or empty are
// written as F32 from Data; others are written with their DType from Raw.
// The output depends only on the content: the header's keys are sorted,
// the data is ordered by element size, largest first, then by name (so
// that every tensor is aligned to its element size, as the reference
// orders it), and the header is padded with spaces to a multiple of 8.
func Encode(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	type item struct {
		t     *Tensor
		dtype DType
		data  int // bytes
		begin int
	}
	items := make([]item, len(tensors))
	names := map[string]bool{}
	for i := range tensors {
		t := &tensors[i]
		if t.Name == metadataKey {
			return nil, fmt.Errorf("safetensors: a tensor cannot be called %q", metadataKey)
		}
		if !utf8.ValidString(t.Name) {
			return nil, fmt.Errorf("safetensors: tensor name %q is not valid UTF-8", t.Name)
		}
		if names[t.Name] {
			return nil, fmt.Errorf("safetensors: tensor %q given twice", t.Name)
		}
		names[t.Name] = true
		it := item{t: t, dtype: F32}
		n, ok := numElements(t.Shape, math.MaxInt/8)
		if !ok {
			return nil, fmt.Errorf("safetensors: tensor %q: bad shape %s", t.Name, FormatShape(t.Shape))
		}
		if writesFloat(t) {
			if uint64(len(t.Data)) != n {
				return nil, fmt.Errorf("safetensors: tensor %q: shape %s has %d elements, but it holds %d values", t.Name, FormatShape(t.Shape), n, len(t.Data))
			}
			it.data = 4 * len(t.Data)
		} else {
			bits := t.DType.Bits()
			if bits == 0 {
				return nil, fmt.Errorf("safetensors: tensor %q: unknown dtype %q", t.Name, t.DType)
			}
			if t.Data != nil {
				return nil, fmt.Errorf("safetensors: tensor %q: dtype %s is not a float type, but it holds float values", t.Name, t.DType)
			}
			n, ok := numElements(t.Shape, uint64(len(t.Raw))*8/uint64(bits)+1)
			if !ok || n*uint64(bits)%8 != 0 || n*uint64(bits)/8 != uint64(len(t.Raw)) {
				return nil, fmt.Errorf("safetensors: tensor %q: shape %s of %s does not match its %d bytes", t.Name, FormatShape(t.Shape), t.DType, len(t.Raw))
			}
			it.dtype = t.DType
			it.data = len(t.Raw)
		}
		items[i] = it
	}
	for k, v := range metadata {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("safetensors: metadata %q: %q is not valid UTF-8", k, v)
		}
	}

	// Data order: element size descending, then name.
	order := make([]*item, len(items))
	for i := range items {
		order[i] = &items[i]
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a.dtype.Bits() != b.dtype.Bits() {
			return a.dtype.Bits() > b.dtype.Bits()
		}
		return a.t.Name < b.t.Name
	})
	total := 0
	for _, it := range order {
		it.begin = total
		total += it.data
	}

	// Header: keys sorted bytewise ("__metadata__" among them), compact.
	type key struct {
		name string
		it   *item // nil for the metadata
	}
	keys := make([]key, 0, len(items)+1)
	for i := range items {
		keys = append(keys, key{items[i].t.Name, &items[i]})
	}
	if len(metadata) > 0 {
		keys = append(keys, key{metadataKey, nil})
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].name < keys[j].name })
	var hb bytes.Buffer
	hb.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			hb.WriteByte(',')
		}
		writeString(&hb, k.name)
		hb.WriteByte(':')
		if k.it == nil {
			mk := make([]string, 0, len(metadata))
			for m := range metadata {
				mk = append(mk, m)
			}
			sort.Strings(mk)
			hb.WriteByte('{')
			for j, m := range mk {
				if j > 0 {
					hb.WriteByte(',')
				}
				writeString(&hb, m)
				hb.WriteByte(':')
				writeString(&hb, metadata[m])
			}
			hb.WriteByte('}')
			continue
		}
		it := k.it
		fmt.Fprintf(&hb, `{"data_offsets":[%d,%d],"dtype":"%s","shape":[`, it.begin, it.begin+it.data, it.dtype)
		for j, d := range it.t.Shape {
			if j > 0 {
				hb.WriteByte(',')
			}
			hb.WriteString(strconv.Itoa(d))
		}
		hb.WriteString("]}")
	}
	hb.WriteByte('}')
	for hb.Len()%8 != 0 {
		hb.WriteByte(' ')
	}
	if hb.Len() > MaxHeaderSize {
		return nil, fmt.Errorf("safetensors: header of %d bytes exceeds the limit of %d", hb.Len(), MaxHeaderSize)
	}

	out := make([]byte, 8, 8+hb.Len()+total)
	binary.LittleEndian.PutUint64(out, uint64(hb.Len()))
	out = append(out, hb.Bytes()...)
	for _, it := range order {
		if writesFloat(it.t) {
			for _, v := range it.t.Data {
				out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
			}
		} else {
			out = append(out, it.t.Raw...)
		}
	}
	return out, nil
}

// writesFloat reports whether Encode writes t as F32 from its Data: when
// its DType is a float type or empty.
func writesFloat(t *Tensor) bool { return t.DType == "" || t.DType.IsFloat() }

// writeString writes s as a JSON string without HTML escaping.
func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		panic(err) // cannot happen for a string
	}
	b.Truncate(b.Len() - 1) // Encode's newline
}

// Write encodes the tensors and writes them to w.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	data, err := Encode(tensors, metadata)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// WriteFile encodes the tensors and replaces the file at path atomically:
// readers see the old file or the new one, never a partial one.
func WriteFile(path string, tensors []Tensor, metadata map[string]string) error {
	data, err := Encode(tensors, metadata)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o644)
}

// ErrNotWeight is returned by Float32s for a tensor of a non-float dtype.
var ErrNotWeight = errors.New("not a float tensor")

// Float32s returns the tensor's values, or ErrNotWeight when its dtype is
// not a float type.
func (t *Tensor) Float32s() ([]float32, error) {
	if !t.IsWeight() {
		return nil, fmt.Errorf("%s: dtype %s: %w", t.Name, t.DType, ErrNotWeight)
	}
	return t.Data, nil
}
