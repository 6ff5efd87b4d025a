/**
 * Operations over many databases at once: choosing the fleet, migrating and checking it with a
 * canary and bounded parallelism, and branches (throwaway copies with an expiry).
 */
package dev.keel.fleet;
