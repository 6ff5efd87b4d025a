package dev.keel.cli.fleet;

import dev.keel.cli.config.KeelConfig;
import dev.keel.fleet.FleetSelection;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;

/**
 * The databases of a config file as a fleet ({@code --config}): each {@code dbs} entry's {@code path},
 * and every database a {@code dir:} entry expands to now (its directory, pattern and recursion).
 * The one place config entries become fleet sources.
 */
final class FleetConfigSelection {
    private FleetConfigSelection() {
    }

    static void addTo(FleetSelection.Builder selection, KeelConfig config) {
        for (DatabaseConfig db : config.databases()) selection.path(db.path());
        for (DirectoryConfig dir : config.directories()) selection.directory(dir.directory());
    }
}
