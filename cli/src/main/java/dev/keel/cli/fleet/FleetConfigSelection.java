package dev.keel.cli.fleet;

import dev.keel.cli.config.KeelConfig;
import dev.keel.fleet.FleetSelection;
import dev.keel.replication.api.DatabaseConfig;

/**
 * The databases of a config file as a fleet ({@code --config}): each {@code dbs} entry's {@code path}.
 * The one place config entries become fleet sources, so entries that stand for many databases
 * ({@code dir:}) are added here.
 */
final class FleetConfigSelection {
    private FleetConfigSelection() {
    }

    static void addTo(FleetSelection.Builder selection, KeelConfig config) {
        for (DatabaseConfig db : config.databases()) selection.path(db.path());
    }
}
