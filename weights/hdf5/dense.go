package hdf5

import "fmt"

// denseLinks lists the links a link info message keeps in a fractal heap
// (dense storage), none when the group's links are compact.
func (f *File) denseLinks(b []byte) ([]Link, error) {
	d := f.decoder(b, "link info message")
	if v := d.u8(); d.err == nil && v != 0 {
		return nil, fmt.Errorf("link info message version %d, want 0", v)
	}
	flags := d.u8()
	if flags&1 != 0 {
		d.skip(8) // maximum creation index
	}
	heap := d.addr()
	index := d.addr() // by name
	if d.err != nil {
		return nil, d.err
	}
	if heap == undef {
		return nil, nil
	}
	h, err := f.fractalHeap(heap)
	if err != nil {
		return nil, err
	}
	recs, err := f.btree2Records(index, 5)
	if err != nil {
		return nil, err
	}
	var links []Link
	for _, r := range recs {
		// A name hash, then the heap ID of the link message.
		if len(r) < 5 {
			return nil, fmt.Errorf("link name record of %d bytes", len(r))
		}
		obj, err := h.object(r[4:])
		if err != nil {
			return nil, err
		}
		l, ok, err := f.parseLink(obj)
		if err != nil {
			return nil, err
		}
		if ok {
			links = append(links, l)
		}
	}
	return links, nil
}

// denseAttrs lists the attributes an attribute info message keeps in a
// fractal heap, none when they are all in the header.
func (f *File) denseAttrs(b []byte) ([]*Attr, error) {
	d := f.decoder(b, "attribute info message")
	if v := d.u8(); d.err == nil && v != 0 {
		return nil, fmt.Errorf("attribute info message version %d, want 0", v)
	}
	flags := d.u8()
	if flags&1 != 0 {
		d.skip(2) // maximum creation index
	}
	heap := d.addr()
	index := d.addr() // by name
	if d.err != nil {
		return nil, d.err
	}
	if heap == undef {
		return nil, nil
	}
	h, err := f.fractalHeap(heap)
	if err != nil {
		return nil, err
	}
	recs, err := f.btree2Records(index, 8)
	if err != nil {
		return nil, err
	}
	var attrs []*Attr
	for _, r := range recs {
		// The heap ID (8 bytes), message flags, creation order, name hash.
		if len(r) < 8 {
			return nil, fmt.Errorf("attribute name record of %d bytes", len(r))
		}
		obj, err := h.object(r[:8])
		if err != nil {
			return nil, err
		}
		a, err := f.parseAttr(obj)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, a)
	}
	return attrs, nil
}
