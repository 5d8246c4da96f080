package testkit

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ChildrenOf lists the processes whose parent is pid (nginx's workers, a
// postmaster's backends), from /proc.
func ChildrenOf(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var children []int
	for _, e := range entries {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …; comm may hold spaces, so split after the last ")".
		i := strings.LastIndexByte(string(stat), ')')
		fields := strings.Fields(string(stat[i+1:]))
		if i >= 0 && len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			children = append(children, child)
		}
	}
	return children
}

// MemStatus reads VmRSS and VmHWM (peak RSS) of pid from /proc, in KiB.
func MemStatus(pid int) (rssKiB, hwmKiB int64, err error) {
	status, err := StatusKiB(pid)
	if err != nil {
		return 0, 0, err
	}
	if status["VmRSS"] == 0 {
		return 0, 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
	}
	return status["VmRSS"], status["VmHWM"], nil
}

// StatusKiB reads the fields of /proc/<pid>/status counted in kB (VmRSS,
// VmHWM, RssAnon, RssFile, …), in KiB.
func StatusKiB(pid int) (map[string]int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	status := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(value) // "12345 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("/proc/%d/status %s: %w", pid, key, err)
		}
		status[key] = n
	}
	return status, sc.Err()
}
