package io.taskmeter.core.batch;

import java.util.List;

/**
 * Host signals of one batch, sampled at the same instants as the units so contention can be matched to the
 * intervals an attempt ran in (a per-batch average would hide a ten-second spike in a minute).
 *
 * @param network "host": network counters are the host's interfaces, not any unit's
 * @param base    the previous batch's last sample (null in a shipper's first batch)
 */
public record HostSeries(String network, HostSample base, List<HostSample> samples) {
}
