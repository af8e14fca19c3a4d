// Package pytorch reads the weights of PyTorch checkpoints: the .pth, .pt
// and .bin files that torch.save writes in its zip format (the default
// since PyTorch 1.6).
//
// Such a file is a zip archive holding, under one folder, data.pkl — a
// Python pickle of the saved object whose tensors refer to storages by
// key — and data/<key>, each storage's raw little-endian elements.
// Unpickling Python's way runs whatever the pickle names, so this package
// has its own unpickler that executes nothing: it knows the globals that
// torch.save writes for tensors (torch._utils._rebuild_tensor_v2 and
// friends, torch.FloatStorage and the other storage types,
// collections.OrderedDict) and plain containers, and refuses every other
// global by name, as torch.load(weights_only=True) does.
//
// The saved object must be a state_dict (names to tensors), or a dict
// holding one under "state_dict", "model_state_dict" or "model" (training
// checkpoints); a "module." prefix on every name (DataParallel) is
// removed. Only the state_dict's tensors are read: float32, float16,
// bfloat16 and float64 ones are converted to float32, others (the int64
// num_batches_tracked) kept as bytes. Views are honoured — storage
// offsets, storages shared by several tensors, non-contiguous strides.
//
// Malformed files are errors, never panics, and memory stays within a
// fixed multiple of the file's size.
package pytorch

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/resc-dev/resc/internal/userfile"
	"github.com/resc-dev/resc/weights/safetensors"
)

// ErrNotCheckpoint marks a zip archive without a data.pkl record: some
// other zip-based format, not a torch.save checkpoint.
var ErrNotCheckpoint = errors.New("not a torch.save checkpoint")

// MaxPickleSize bounds data.pkl. A state_dict's pickle takes about 100
// bytes per tensor, so real ones are well under a megabyte.
const MaxPickleSize = 32 << 20

// memoryFactor bounds what reading allocates for storages and tensors to
// this multiple of the file's size (plus memorySlack): a float16 file
// becomes twice its size in float32, and tensors sharing a storage are
// copied each, but no real file comes near this.
const (
	memoryFactor = 16
	memorySlack  = 16 << 20
)

// A LegacyError is a checkpoint in the format torch.save wrote before
// PyTorch 1.6 (a bare pickle stream, or older, a tar archive).
type LegacyError struct{}

func (*LegacyError) Error() string {
	return "a PyTorch checkpoint in the legacy format of PyTorch before 1.6, which resc does not read; " +
		"re-save it with PyTorch 1.6 or later, which writes the zip format: " +
		`python3 -c 'import sys, torch; torch.save(torch.load(sys.argv[1], map_location="cpu"), sys.argv[2])' OLD.pth NEW.pth`
}

// errorf makes the errors of malformed input, all prefixed alike.
func errorf(format string, args ...any) error {
	return fmt.Errorf("invalid PyTorch checkpoint: "+format, args...)
}

// legacyMagic starts every legacy checkpoint: torch.save's magic number
// 0x1950a86a20f9469cfc6c, pickled with protocol 2.
var legacyMagic = []byte("\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19")

// isPickle reports whether head starts a pickle of protocol 2 to 5.
func isPickle(head []byte) bool {
	return len(head) >= 2 && head[0] == opProto && head[1] >= 2 && head[1] <= 5
}

// isTar reports whether head holds a tar header (at least 262 bytes).
func isTar(head []byte) bool {
	return len(head) >= 262 && string(head[257:262]) == "ustar"
}

// Recognise reports whether a file's first bytes (512 of them, or the
// whole file if shorter) are those of a file Read handles, or explains:
// a zip archive, a pickle (a legacy checkpoint, or a bare one) or a tar
// archive (the oldest checkpoints). A safetensors file is never taken for
// one, although its header length may begin like a pickle (640 is 80 02
// in little-endian): its ninth byte, where the JSON header starts, is '{',
// which no zip or pickle has there.
func Recognise(head []byte) bool {
	if len(head) > 8 && head[8] == '{' {
		return false
	}
	return bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")) ||
		isPickle(head) || isTar(head)
}

// ReadFile reads the checkpoint at path.
func ReadFile(path string) (*safetensors.File, error) {
	f, size, err := userfile.Open(path, safetensors.MaxFileBytes, "weights files")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := Read(f, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// Read decodes a checkpoint of size bytes from r. The tensors of the
// result are sorted by name; its Metadata is nil.
func Read(r io.ReaderAt, size int64) (*safetensors.File, error) {
	head := make([]byte, 512)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, legacyMagic) || isTar(head):
		return nil, &LegacyError{}
	case isPickle(head):
		return nil, errorf("a bare Python pickle, not the zip archive torch.save writes: load it in Python and save the state_dict with torch.save(state_dict, \"weights.pth\")")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are only looked up, never written
		return nil, errorf("not a readable zip archive: %v", err)
	}
	c := &checkpoint{records: map[string]*zip.File{}, storages: map[string]*storage{},
		budget: memoryFactor*size + memorySlack}
	if err := c.index(zr); err != nil {
		return nil, err
	}
	pkl, err := c.readRecord("data.pkl", MaxPickleSize)
	if err != nil {
		return nil, err
	}
	u := &unpickler{data: pkl, persistentLoad: c.persistentLoad}
	top, err := u.load()
	if err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			return nil, err
		}
		return nil, errorf("%v", err)
	}
	names, tensors, err := stateDict(top)
	if err != nil {
		return nil, err
	}
	return c.decode(names, tensors)
}

// A checkpoint is an open archive: its records by name, without the folder.
type checkpoint struct {
	records  map[string]*zip.File
	storages map[string]*storage
	budget   int64 // bytes that reading may still allocate
}

// index finds data.pkl and the folder it is in, and the records beside it.
func (c *checkpoint) index(zr *zip.Reader) error {
	prefix := ""
	found := 0
	for _, f := range zr.File {
		dir, ok := strings.CutSuffix(f.Name, "data.pkl")
		if ok && (dir == "" || strings.Count(dir, "/") == 1 && strings.HasSuffix(dir, "/")) {
			prefix = dir
			found++
		}
	}
	switch {
	case found == 0:
		return fmt.Errorf("%w: a zip archive without a data.pkl record", ErrNotCheckpoint)
	case found > 1:
		return errorf("%d data.pkl records; torch.save writes one", found)
	}
	for _, f := range zr.File {
		name, ok := strings.CutPrefix(f.Name, prefix)
		if !ok {
			continue
		}
		if _, dup := c.records[name]; dup {
			return errorf("record %s appears twice", f.Name)
		}
		c.records[name] = f
	}
	if f := c.records["byteorder"]; f != nil {
		b, err := c.readRecord("byteorder", 16)
		if err != nil {
			return err
		}
		if s := string(bytes.TrimSpace(b)); s != "little" {
			return errorf("byte order %q; resc reads little-endian checkpoints", s)
		}
	}
	return nil
}

// readRecord reads a whole record of at most limit bytes, checking its
// checksum, and charges it to the budget.
func (c *checkpoint) readRecord(name string, limit int64) ([]byte, error) {
	f := c.records[name]
	if f == nil {
		return nil, errorf("no record %s", name)
	}
	n := f.UncompressedSize64
	if n > uint64(limit) {
		return nil, errorf("record %s holds %d bytes; the limit is %d", name, n, limit)
	}
	if int64(n) > c.budget {
		return nil, errorf("record %s (%d bytes) would take the memory read past %d times the file's size", name, n, memoryFactor)
	}
	c.budget -= int64(n)
	rc, err := f.Open()
	if err != nil {
		return nil, errorf("record %s: %v", name, err)
	}
	defer rc.Close()
	buf := make([]byte, n)
	if _, err := io.ReadFull(rc, buf); err != nil {
		return nil, errorf("record %s: %v", name, err)
	}
	// Reading to the end makes archive/zip check the size and checksum.
	if _, err := rc.Read(make([]byte, 1)); err != io.EOF {
		if err == nil {
			err = errors.New("longer than its declared size")
		}
		return nil, errorf("record %s: %v", name, err)
	}
	return buf, nil
}

// persistentLoad resolves a tensor's storage reference, the tuple
// ('storage', torch.FloatStorage, key, location, numel).
func (c *checkpoint) persistentLoad(pid any) (any, error) {
	t, ok := pid.(pyTuple)
	if !ok || len(t) != 5 || t[0] != "storage" {
		return nil, fmt.Errorf("a persistent id that is not ('storage', type, key, location, numel)")
	}
	typ, ok1 := t[1].(pyGlobal)
	key, ok2 := t[2].(string)
	numel, ok3 := t[4].(int64)
	if !ok1 || !ok2 || !ok3 || numel < 0 {
		return nil, fmt.Errorf("a storage reference of %s, %s and %s, not a type, a key and a size", typeName(t[1]), typeName(t[2]), describe(t[4]))
	}
	dtype, ok := storageTypes[typ.name]
	if !ok || typ.module != "torch" {
		return nil, fmt.Errorf("storage type %s is not a storage", typ)
	}
	if s := c.storages[key]; s != nil {
		if s.dtype != dtype || s.numel != numel {
			return nil, fmt.Errorf("storage %s referred to as %d of %s and as %d of %s", key, s.numel, s.dtype, numel, dtype)
		}
		return s, nil
	}
	s := &storage{key: key, dtype: dtype, numel: numel}
	f := c.records["data/"+key]
	if f == nil {
		return nil, fmt.Errorf("storage %s has no record data/%s", key, key)
	}
	es := uint64(s.elemSize())
	if f.UncompressedSize64%es != 0 || f.UncompressedSize64/es != uint64(numel) {
		return nil, fmt.Errorf("storage %s: %d elements of %s need %d bytes, the record holds %d",
			key, numel, dtype, uint64(numel)*uint64(s.elemSize()), f.UncompressedSize64)
	}
	c.storages[key] = s
	return s, nil
}

// wrapperKeys are the keys under which training checkpoints keep the
// model's state_dict, in the order they are tried.
var wrapperKeys = []string{"state_dict", "model_state_dict", "model"}

// stateDict finds the state_dict in the unpickled object: its names, with
// a "module." prefix common to all removed, and tensors.
func stateDict(top any) ([]string, []*tensor, error) {
	d, ok := top.(*pyDict)
	if !ok {
		return nil, nil, fmt.Errorf("the checkpoint holds %s, not a state_dict (a dict of names to tensors)", typeName(top))
	}
	where := "the checkpoint's dict"
	for _, k := range wrapperKeys {
		if v, ok := d.get(k); ok {
			if inner, ok := v.(*pyDict); ok {
				d, where = inner, fmt.Sprintf("the checkpoint's %q", k)
				break
			}
		}
	}
	if len(d.keys) == 0 {
		return nil, nil, fmt.Errorf("%s is empty: no weights", where)
	}
	names := make([]string, len(d.keys))
	tensors := make([]*tensor, len(d.keys))
	for i, k := range d.keys {
		name, ok := k.(string)
		if !ok {
			return nil, nil, fmt.Errorf("%s has a key of %s (%s), not a name; resc reads a state_dict, or a dict holding one under %s",
				where, typeName(k), describe(k), quoteAll(wrapperKeys))
		}
		t, ok := d.vals[i].(*tensor)
		if !ok {
			return nil, nil, fmt.Errorf("%s holds %s under %q, not a tensor; resc reads a state_dict, or a dict holding one under %s",
				where, typeName(d.vals[i]), name, quoteAll(wrapperKeys))
		}
		names[i], tensors[i] = name, t
	}
	strip := true
	for _, n := range names {
		strip = strip && strings.HasPrefix(n, "module.")
	}
	if strip {
		for i := range names {
			names[i] = strings.TrimPrefix(names[i], "module.")
		}
	}
	return names, tensors, nil
}

func quoteAll(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// decode reads each storage once, when its first tensor needs it, and
// lets it go after its last.
func (c *checkpoint) decode(names []string, tensors []*tensor) (*safetensors.File, error) {
	uses := map[*storage]int{}
	for _, t := range tensors {
		uses[t.storage]++
	}
	data := map[*storage][]byte{}
	out := &safetensors.File{Tensors: make([]safetensors.Tensor, len(tensors))}
	for i, t := range tensors {
		s := t.storage
		if data[s] == nil {
			b, err := c.readRecord("data/"+s.key, int64(s.numel)*s.elemSize())
			if err != nil {
				return nil, err
			}
			data[s] = b
		}
		size := t.numel * 4
		if !s.dtype.IsFloat() {
			size = t.numel * s.elemSize()
		}
		if size > c.budget {
			return nil, errorf("tensor %s: its %d elements would take the memory read past %d times the file's size (views that overlap?)", names[i], t.numel, memoryFactor)
		}
		c.budget -= size
		out.Tensors[i] = t.decode(names[i], data[s])
		if uses[s]--; uses[s] == 0 {
			delete(data, s)
		}
	}
	sort.Slice(out.Tensors, func(i, j int) bool { return out.Tensors[i].Name < out.Tensors[j].Name })
	return out, nil
}
