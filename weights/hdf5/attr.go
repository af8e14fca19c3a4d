package hdf5

import (
	"bytes"
	"fmt"
	"sort"
)

// An Attr is an attribute of an object: a small named array.
type Attr struct {
	f     *File
	Name  string
	Type  Datatype
	Shape []int // nil for a scalar
	raw   []byte
}

// Attrs returns o's attributes, sorted by name.
func (o *Object) Attrs() ([]*Attr, error) {
	ms, err := o.messages(msgAttribute)
	if err != nil {
		return nil, err
	}
	var attrs []*Attr
	for _, m := range ms {
		a, err := o.f.parseAttr(m.data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.what(), err)
		}
		attrs = append(attrs, a)
	}
	ai, err := o.message(msgAttrInfo)
	if err != nil {
		return nil, err
	}
	if ai != nil {
		dense, err := o.f.denseAttrs(ai.data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.what(), err)
		}
		attrs = append(attrs, dense...)
	}
	sort.Slice(attrs, func(i, j int) bool { return attrs[i].Name < attrs[j].Name })
	return attrs, nil
}

// Attr returns o's attribute called name, or nil.
func (o *Object) Attr(name string) (*Attr, error) {
	attrs, err := o.Attrs()
	if err != nil {
		return nil, err
	}
	for _, a := range attrs {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, nil
}

// parseAttr decodes an attribute message (versions 1 to 3).
func (f *File) parseAttr(b []byte) (*Attr, error) {
	d := f.decoder(b, "attribute message")
	version := d.u8()
	flags := d.u8()
	nameSize, typeSize, spaceSize := int(d.u16()), int(d.u16()), int(d.u16())
	pad := func(n int) int { return n }
	switch version {
	case 1:
		pad = func(n int) int { return (n + 7) &^ 7 }
	case 2:
	case 3:
		d.skip(1) // name character set
	default:
		if d.err == nil {
			return nil, fmt.Errorf("attribute message version %d, want 1 to 3", version)
		}
	}
	if flags&3 != 0 {
		return nil, fmt.Errorf("attribute with a shared datatype or dataspace is not supported")
	}
	name := d.bytes(pad(nameSize))
	tb := d.bytes(pad(typeSize))
	sb := d.bytes(pad(spaceSize))
	if d.err != nil {
		return nil, d.err
	}
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	a := &Attr{f: f, Name: string(name)}
	var err error
	if a.Type, err = f.parseDatatype(tb[:min(typeSize, len(tb))]); err != nil {
		return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
	}
	dims, null, err := f.parseDataspace(sb[:min(spaceSize, len(sb))])
	if err != nil {
		return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
	}
	a.Shape = dims
	n := int64(0)
	if !null {
		if n, err = count(dims, int64(len(b))); err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
		}
	}
	size := n * int64(f.elementSize(a.Type))
	if a.raw = d.bytes(int(min(size, int64(len(b))+1))); d.err != nil {
		return nil, fmt.Errorf("attribute %q: value of %d bytes: %w", a.Name, size, d.err)
	}
	return a, nil
}

// Strings decodes a string attribute (fixed or variable length, any
// shape) in row-major order. Fixed strings lose their padding.
func (a *Attr) Strings() ([]string, error) {
	f := a.f
	var out []string
	switch {
	case a.Type.Class == ClassString:
		for b := a.raw; len(b) >= a.Type.Size; b = b[a.Type.Size:] {
			s := b[:a.Type.Size]
			if i := bytes.IndexByte(s, 0); i >= 0 {
				s = s[:i]
			}
			if a.Type.SpacePadded {
				s = bytes.TrimRight(s, " ")
			}
			out = append(out, string(s))
		}
	case a.Type.Class == ClassVarLen && a.Type.VarString:
		size := f.elementSize(a.Type)
		for b := a.raw; len(b) >= size; b = b[size:] {
			d := f.decoder(b[:size], "variable-length string")
			n := d.u32()
			coll := d.addr()
			index := d.u32()
			if d.err != nil {
				return nil, d.err
			}
			s, err := f.globalObject(coll, index)
			if err != nil {
				return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
			}
			if uint64(n) > uint64(len(s)) {
				return nil, fmt.Errorf("attribute %q: string of %d bytes in a heap object of %d", a.Name, n, len(s))
			}
			out = append(out, string(s[:n]))
		}
	default:
		return nil, fmt.Errorf("attribute %q is a %s, not a string", a.Name, a.Type)
	}
	return out, nil
}

// globalObject returns object index of the global heap collection at addr.
func (f *File) globalObject(addr uint64, index uint32) ([]byte, error) {
	what := fmt.Sprintf("global heap collection at %d", addr)
	coll, ok := f.heaps[addr]
	if !ok {
		hdr, err := f.at(addr, uint64(8+f.lenSize), what)
		if err != nil {
			return nil, err
		}
		d := f.decoder(hdr, what)
		d.signature("GCOL")
		d.skip(4) // version, reserved
		size := d.length()
		if d.err != nil {
			return nil, d.err
		}
		if coll, err = f.at(addr, size, what); err != nil {
			return nil, err
		}
		f.heaps[addr] = coll
	}
	// The collection's header and each object's are padded to 8 bytes.
	hdr := (8 + f.lenSize + 7) &^ 7
	d := f.decoder(coll, what)
	d.skip(hdr)
	for d.err == nil && len(coll)-d.off >= hdr {
		i := d.u16()
		d.skip(2 + 4) // reference count, reserved
		size := d.length()
		d.skip(hdr - 8 - f.lenSize)
		if i == 0 {
			break // free space: the rest of the collection
		}
		if size > uint64(len(coll)) {
			return nil, fmt.Errorf("%s: object %d of %d bytes", what, i, size)
		}
		data := d.bytes(int(size))
		if uint32(i) == index && d.err == nil {
			return data, nil
		}
		d.skip((8 - int(size)%8) % 8)
	}
	if d.err != nil {
		return nil, d.err
	}
	return nil, fmt.Errorf("%s: no object %d", what, index)
}
