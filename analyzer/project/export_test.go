package project

// ReplayBefore exposes StateBefore's from-scratch replay to the tests.
func (mi *MigrationIndex) ReplayBefore(m *Migration) *SchemaState { return mi.replayBefore(m) }
