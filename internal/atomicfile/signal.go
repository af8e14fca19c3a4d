package atomicfile

import (
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
)

// temps are the temporary files being written, so that an interrupt can
// remove them: Ctrl-C during a long build must not leave a hidden file of
// hundreds of megabytes beside the target. The lock is held while a
// temporary file is created or renamed and by the signal handler, so the
// handler sees every file that exists.
var (
	tempMu sync.Mutex
	temps  = map[string]bool{}
)

func createTemp(target string) (*os.File, error) {
	tempMu.Lock()
	defer tempMu.Unlock()
	f, err := os.CreateTemp(filepath.Dir(target), tempPattern(target))
	if err == nil {
		temps[f.Name()] = true
	}
	return f, err
}

// tempPattern names a target's temporary file: hidden, beside it, and no
// longer than a name may be (255 bytes) however long the target's is.
func tempPattern(target string) string {
	base := filepath.Base(target)
	if len(base) > 200 {
		base = base[:200]
	}
	return "." + base + ".tmp*"
}

func removeTemp(name string) {
	tempMu.Lock()
	defer tempMu.Unlock()
	os.Remove(name)
	delete(temps, name)
}

func renameTemp(name, target string) error {
	tempMu.Lock()
	defer tempMu.Unlock()
	err := os.Rename(name, target)
	if err != nil {
		os.Remove(name)
	}
	delete(temps, name)
	return err
}

var handleOnce sync.Once

// CleanUpOnSignal makes SIGINT and SIGTERM remove the temporary files
// being written and then exit the process with 128 plus the signal's
// number (130, 143), as a shell reports a process the signal killed. A
// command-line program calls it once at start.
func CleanUpOnSignal() {
	handleOnce.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		go func() {
			sig := <-ch
			tempMu.Lock() // held until exit: no new temporary file appears
			for name := range temps {
				os.Remove(name)
			}
			code := 1
			if s, ok := sig.(syscall.Signal); ok {
				code = 128 + int(s)
			}
			os.Exit(code)
		}()
	})
}
