package onnx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// ORTVersion is the onnxruntime release whose C API the onnxruntime_go
// wrapper is written against; the shared library must be this version.
const ORTVersion = "1.24.1"

// LibraryEnv is the environment variable that names the onnxruntime shared
// library when no --ort-lib flag does.
const LibraryEnv = "ONNXRUNTIME_LIB"

// installHint tells the user how to get the library.
const installHint = "install onnxruntime " + ORTVersion + " with scripts/install-onnxruntime.sh, " +
	"or set " + LibraryEnv + " (or --ort-lib) to the path of libonnxruntime.so.1 from onnxruntime " + ORTVersion

// DefaultLibraryPath is where scripts/install-onnxruntime.sh installs the
// library: $XDG_CACHE_HOME/resc/onnxruntime-1.24.1/libonnxruntime.so.1, or
// ~/.cache/resc/... when XDG_CACHE_HOME is unset. It returns "" when neither
// XDG_CACHE_HOME nor HOME is set.
func DefaultLibraryPath() string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home := os.Getenv("HOME")
		if home == "" {
			return ""
		}
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "resc", "onnxruntime-"+ORTVersion, "libonnxruntime.so.1")
}

// A LibraryError says that the onnxruntime shared library was not found, and
// how to install it.
type LibraryError struct {
	Path   string // the path looked at; "" when there was none to look at
	Source string // where Path came from: "--ort-lib", "$ONNXRUNTIME_LIB" or "default location"
	Err    error  // why the path was rejected
}

func (e *LibraryError) Error() string {
	var b strings.Builder
	b.WriteString("onnxruntime library not found")
	switch {
	case e.Path == "":
		b.WriteString(" (no HOME or XDG_CACHE_HOME to find its default location)")
	case e.Source == "default location":
		fmt.Fprintf(&b, " at its default location %s", e.Path)
	default:
		fmt.Fprintf(&b, ": %s names %s", e.Source, e.Path)
		if e.Err != nil {
			fmt.Fprintf(&b, " (%s)", errText(e.Err))
		}
	}
	b.WriteString("; ")
	b.WriteString(installHint)
	return b.String()
}

func (e *LibraryError) Unwrap() error { return e.Err }

func errText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		err = pe.Err
	}
	return err.Error()
}

// FindLibrary returns the onnxruntime shared library to load: flagPath when
// it is not empty, else $ONNXRUNTIME_LIB when set, else DefaultLibraryPath.
// The first of these that is set must name an existing file; otherwise the
// error is a *LibraryError saying how to install the library.
func FindLibrary(flagPath string) (string, error) {
	path, source := flagPath, "--ort-lib"
	if path == "" {
		path, source = os.Getenv(LibraryEnv), "$"+LibraryEnv
	}
	if path == "" {
		path, source = DefaultLibraryPath(), "default location"
		if path == "" {
			return "", &LibraryError{Source: source}
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", &LibraryError{Path: path, Source: source, Err: err}
	}
	if info.IsDir() {
		return "", &LibraryError{Path: path, Source: source, Err: fmt.Errorf("a directory, not a file")}
	}
	return path, nil
}

// The onnxruntime environment is process-wide: it is initialised once, from
// one library, and never torn down. A failed initialisation (a missing or
// wrong library) leaves nothing behind, so a later call may try another path.
var (
	ortMu   sync.Mutex
	ortPath string // the library the environment was initialised from
)

// InitRuntime loads the onnxruntime shared library (found as FindLibrary
// finds it from flagPath) and initialises its environment, once per process.
// Later calls with the same library do nothing; a call naming a different
// library is an error, since a process can hold only one. It returns the
// path of the library in use.
func InitRuntime(flagPath string) (string, error) {
	path, err := FindLibrary(flagPath)
	if err != nil {
		return "", err
	}
	ortMu.Lock()
	defer ortMu.Unlock()
	if ortPath != "" {
		if sameFile(ortPath, path) {
			return ortPath, nil
		}
		return "", fmt.Errorf("onnxruntime is already loaded from %s in this process; cannot load a second library %s", ortPath, path)
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		msg := err.Error()
		if strings.Contains(msg, "API version") {
			return "", fmt.Errorf("cannot use %s: resc needs onnxruntime %s and this library is another version (%v); %s", path, ORTVersion, err, installHint)
		}
		return "", fmt.Errorf("cannot load onnxruntime from %s: %v; %s", path, err, installHint)
	}
	ortPath = path
	return path, nil
}

func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

// RuntimeVersion returns the version string of the loaded onnxruntime
// library, or "" before InitRuntime has succeeded.
func RuntimeVersion() string {
	ortMu.Lock()
	defer ortMu.Unlock()
	if ortPath == "" {
		return ""
	}
	return ort.GetVersion()
}
