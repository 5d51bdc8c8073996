package semantic

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A method or property returning a row reached from self: through
// forward relations, a loop over a related manager, the first row of
// `.all()`, another method, or a property. Anything else, or returns that
// disagree, is not a row.
func TestReturnedRow(t *testing.T) {
	m := load(t, `
-- net/models.py --
from django.db import models

class Device(models.Model):
    name = models.CharField(max_length=10)

class Port(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE)

class Circuit(models.Model):
    port = models.ForeignKey(Port, on_delete=models.CASCADE)
    name = models.CharField(max_length=10)

    def _side(self, side):
        for t in self.terminations.all():
            if t.side == side:
                return t
        return None

    @property
    def side_a(self):
        return self._side("A")

    @property
    def first(self):
        return self.terminations.all()[0]

    @property
    def device(self):
        return self.port.device

    @property
    def device_again(self):
        return self.device

    @property
    def label(self):
        return self.name.upper()

    @property
    def mixed(self):
        if self.name:
            return self.port
        return self.port.device

    def rebound(self):
        for t in self.terminations.all():
            t = None
            return t

class Termination(models.Model):
    circuit = models.ForeignKey(Circuit, on_delete=models.CASCADE, related_name="terminations")
    side = models.CharField(max_length=1)
`)
	circuit := m.Graph.ByQual("net.models.Circuit")
	cls := m.ClassOfModel(circuit)
	got := map[string]string{}
	for name, fn := range cls.Methods {
		if rp, ok := m.ReturnedRow(fn, circuit); ok {
			got[name] = strings.Join(rp.Path, "__") + " " + rp.Target.Name
			if rp.Many {
				got[name] += " many"
			}
		}
	}
	assert.Equal(t, map[string]string{
		"_side":        "terminations Termination many",
		"side_a":       "terminations Termination many",
		"first":        "terminations Termination many",
		"device":       "port__device Device",
		"device_again": "port__device Device",
	}, got)
}
