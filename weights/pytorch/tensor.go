package pytorch

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/resc-dev/resc/weights/safetensors"
)

// maxDims bounds a tensor's rank.
const maxDims = 16

// A storage is one record of the checkpoint's data/ folder: numel
// elements of one type, read only when a tensor of the state_dict uses it.
type storage struct {
	key   string
	dtype safetensors.DType
	numel int64
}

func (s *storage) elemSize() int64 { return int64(s.dtype.Bits() / 8) }

// A tensor is a view of a storage, as torch rebuilds it: its element
// [i0, i1, ...] is the storage's element offset + Σ ik·stride[k].
type tensor struct {
	storage      *storage
	offset       int64
	size, stride []int64
	numel        int64
}

// newTensor checks that the view stays inside its storage.
func newTensor(s *storage, offset int64, size, stride []int64) (*tensor, error) {
	if len(size) != len(stride) {
		return nil, fmt.Errorf("size %v and stride %v differ in rank", size, stride)
	}
	if offset < 0 {
		return nil, fmt.Errorf("a negative storage offset %d", offset)
	}
	t := &tensor{storage: s, offset: offset, size: size, stride: stride, numel: 1}
	for _, d := range size {
		if d == 0 {
			t.numel = 0 // an empty view reads nothing
			return t, nil
		}
		if t.numel > math.MaxInt64/d {
			return nil, fmt.Errorf("size %v has too many elements", size)
		}
		t.numel *= d
	}
	// The last element's position, without overflow: each term is
	// bounded by the storage's size before it is added.
	last := offset
	for i, d := range size {
		st := stride[i]
		if st != 0 && (d-1 > s.numel/st || last > s.numel-(d-1)*st) {
			return nil, t.pastEnd()
		}
		last += (d - 1) * st
	}
	if last >= s.numel {
		return nil, t.pastEnd()
	}
	return t, nil
}

func (t *tensor) pastEnd() error {
	return fmt.Errorf("a view (offset %d, size %v, stride %v) that reaches past the %d elements of storage %s",
		t.offset, t.size, t.stride, t.storage.numel, t.storage.key)
}

// contiguous reports whether the view is the row-major run of numel
// elements from offset.
func (t *tensor) contiguous() bool {
	want := int64(1)
	for i := len(t.size) - 1; i >= 0; i-- {
		if t.size[i] != 1 && t.stride[i] != want {
			return false
		}
		want *= t.size[i]
	}
	return true
}

// gather copies the view's elements, in row-major order, out of the
// storage's bytes.
func (t *tensor) gather(data []byte) []byte {
	es := t.storage.elemSize()
	if t.contiguous() {
		return data[t.offset*es : (t.offset+t.numel)*es]
	}
	out := make([]byte, 0, t.numel*es)
	if t.numel == 0 {
		return out
	}
	idx := make([]int64, len(t.size))
	pos := t.offset
	for {
		out = append(out, data[pos*es:(pos+1)*es]...)
		// Advance the index like an odometer, last dimension fastest.
		k := len(idx) - 1
		for ; k >= 0; k-- {
			idx[k]++
			pos += t.stride[k]
			if idx[k] < t.size[k] {
				break
			}
			pos -= idx[k] * t.stride[k]
			idx[k] = 0
		}
		if k < 0 {
			return out
		}
	}
}

// decode makes the safetensors tensor: float types converted to float32
// in Data, others kept as little-endian bytes in Raw.
func (t *tensor) decode(name string, data []byte) safetensors.Tensor {
	shape := make([]int, len(t.size))
	for i, d := range t.size {
		shape[i] = int(d)
	}
	out := safetensors.Tensor{Name: name, DType: t.storage.dtype, Shape: shape}
	raw := t.gather(data)
	if !t.storage.dtype.IsFloat() {
		out.Raw = append([]byte{}, raw...)
		return out
	}
	v := make([]float32, t.numel)
	switch t.storage.dtype {
	case safetensors.F32:
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case safetensors.F16:
		for i := range v {
			v[i] = safetensors.HalfToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case safetensors.BF16:
		for i := range v {
			v[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
		}
	case safetensors.F64:
		for i := range v {
			v[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	}
	out.Data = v
	return out
}
