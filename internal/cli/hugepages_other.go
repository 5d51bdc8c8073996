//go:build !linux

package cli

// adviseHugeHeap is Linux's only (see hugepages_linux.go).
func adviseHugeHeap() {}
