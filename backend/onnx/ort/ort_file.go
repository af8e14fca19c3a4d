//go:build cgo

package ort

import (
	"fmt"
	"os"

	ortgo "github.com/yalue/onnxruntime_go"
)

// NewSessionFile is NewSession for a model in a file, which onnxruntime
// reads itself: the model's weights never enter Go's memory, so the
// process holds what onnxruntime holds (resc bench --memory measures that).
// Only the graph's inputs, outputs and initializer names are read here.
func NewSessionFile(path string, opts SessionOptions) (*Session, error) {
	mi, err := modelFileIO(path)
	if err != nil {
		return nil, err
	}
	so, err := newSessionOptions(opts)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	sess, err := ortgo.NewDynamicAdvancedSession(path, []string{mi.input}, mi.outputs, so)
	if err != nil {
		return nil, sessionError(opts, err)
	}
	return &Session{sess: sess, ortModelInfo: *mi}, nil
}

// modelFileIO is fileModelIO of the file at path.
func modelFileIO(path string) (*ortModelInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	mi, err := fileModelIO(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return mi, nil
}
