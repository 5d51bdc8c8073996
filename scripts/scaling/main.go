//go:build unix

// Command scaling times rubric on generated Python files of one shape at
// two sizes, to find work that grows faster than the input: a rule that
// reads a whole scope for each name in it, a lookup by name that scans a
// module, a walk that recurses through what it includes. A shape whose
// CPU grows by more than -max times when the file grows four times is
// reported (linear work grows about four times).
//
//	go run ./scripts/scaling --rubric bin/rubric [-n 2000] [-max 6] [SHAPE...]
//
// It is a measurement, not a test: run it on a quiet machine.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// shapes generate a module of n repetitions of one construct.
var shapes = map[string]func(n int) string{
	"rebind": func(n int) string { return rep(n, func(i int) string { return "x = f(y)\n" }) },
	"names": func(n int) string {
		return rep(n, func(i int) string { return fmt.Sprintf("x%d = d.get(\"k%d\")\n", i, i) })
	},
	"chain": func(n int) string {
		return "x0 = 1\n" + rep(n, func(i int) string { return fmt.Sprintf("x%d = g(x%d)\n", i+1, i) })
	},
	"strings": func(n int) string {
		return rep(n, func(i int) string { return fmt.Sprintf("S%d = \"abc\" \"def\" f\"{x%d}\"\n", i, i) })
	},
	"walrus": func(n int) string {
		return "def f(d):\n" + rep(n, func(i int) string {
			return fmt.Sprintf("    if (v := d.get(\"a%d\")) is not None:\n        v.x = 1\n", i)
		})
	},
	"classes": func(n int) string {
		return "class C0:\n    def m(self):\n        return 1\n" + rep(n, func(i int) string {
			return fmt.Sprintf("class C%d(C%d):\n    def m(self):\n        return super().m()\n", i+1, i)
		})
	},
	"methods": func(n int) string {
		return "class A:\n" + rep(n, func(i int) string {
			return fmt.Sprintf("    def m%d(self, x):\n        return self.m%d(x) + self.attr%d\n", i+1, i, i)
		})
	},
	"views": func(n int) string {
		return "from rest_framework.views import APIView\nfrom .models import Order\n" + rep(n, func(i int) string {
			return fmt.Sprintf("class V%d(APIView):\n    def get(self, request):\n        return Order.objects.filter(id=request.GET[\"id\"]).first().total\n", i)
		})
	},
	"loops": func(n int) string {
		return "from app.models import Order\ndef f():\n" + rep(n, func(i int) string {
			return fmt.Sprintf("    for o%d in Order.objects.all():\n        print(o%d.customer.name)\n", i, i)
		})
	},
	"nested": func(n int) string {
		return "def f0(x):\n    def f1(x):\n        return x\n" + rep(n, func(i int) string { return fmt.Sprintf("y%d = f0(%d)\n", i, i) })
	},
	"excepts": func(n int) string {
		return "def f():\n" + rep(n, func(i int) string {
			return fmt.Sprintf("    try:\n        g%d()\n    except Exception:\n        pass\n", i)
		})
	},
	"urls": func(n int) string {
		return "from django.urls import path\nfrom . import views\nurlpatterns = [\n" + rep(n, func(i int) string { return fmt.Sprintf("    path(\"p%d/\", views.v%d, name=\"n%d\"),\n", i, i, i) }) + "]\n"
	},
	"tasks": func(n int) string {
		return "from celery import shared_task\nimport requests\n" + rep(n, func(i int) string {
			return fmt.Sprintf("@shared_task\ndef t%d(order_id):\n    requests.post(\"http://x/%d\", json={\"a\": order_id})\n", i, i)
		})
	},
	"serializer": func(n int) string {
		return "from rest_framework import serializers\n" + rep(n, func(i int) string {
			return fmt.Sprintf("class S%d(serializers.ModelSerializer):\n    class Meta:\n        fields = [\"x\", \"y%d\"]\n", i, i)
		})
	},
}

func rep(n int, f func(int) string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(f(i))
	}
	return b.String()
}

func main() {
	rubric := flag.String("rubric", "bin/rubric", "the rubric executable")
	n := flag.Int("n", 2000, "the smaller size; the larger is four times it")
	max := flag.Float64("max", 6, "report a shape whose CPU grows more than this many times")
	flag.Parse()
	names := flag.Args()
	if len(names) == 0 {
		for s := range shapes {
			names = append(names, s)
		}
		sort.Strings(names)
	}
	dir, err := os.MkdirTemp("", "rubric-scaling-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer os.RemoveAll(dir)
	fmt.Printf("%-11s %10s %10s %7s\n", "shape", fmt.Sprintf("CPU @%d", *n), fmt.Sprintf("CPU @%d", 4**n), "growth")
	bad := 0
	for _, s := range names {
		gen, ok := shapes[s]
		if !ok {
			fmt.Fprintf(os.Stderr, "unknown shape %q\n", s)
			os.Exit(2)
		}
		var cpu [2]time.Duration
		for k, size := range []int{*n, 4 * *n} {
			root := filepath.Join(dir, fmt.Sprintf("%s_%d", s, size))
			if err := os.MkdirAll(filepath.Join(root, "app"), 0o755); err == nil {
				err = os.WriteFile(filepath.Join(root, "app", "mod.py"), []byte(gen(size)), 0o644)
			}
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			cmd := exec.Command(*rubric, "check", "--no-cache", "--format", "json", root)
			_ = cmd.Run() // findings make the exit status 1
			if cmd.ProcessState == nil {
				fmt.Fprintf(os.Stderr, "%s: did not run\n", *rubric)
				os.Exit(2)
			}
			if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
				cpu[k] = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
			}
		}
		growth := float64(cpu[1]) / float64(max64(cpu[0], time.Millisecond))
		mark := ""
		if growth > *max {
			mark = "  superlinear"
			bad++
		}
		fmt.Printf("%-11s %9.2fs %9.2fs %6.1fx%s\n", s, cpu[0].Seconds(), cpu[1].Seconds(), growth, mark)
	}
	if bad > 0 {
		os.Exit(1)
	}
}

func max64(a, b time.Duration) time.Duration {
	if a > b {
		return a
	}
	return b
}
