/**
 * Branches: throwaway copies of a database (live, or its replica at a moment) with an expiry kept in a
 * sidecar file beside them, and the reaping that deletes them once expired. Entry point: {@link
 * dev.keel.fleet.branch.Branches}.
 */
package dev.keel.fleet.branch;
