package io.taskmeter.core.cost;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PriceTableTest {
    private static final PriceTable BUILT_IN = PriceTable.builtIn();
    private static final String BUILT_IN_SOURCE = "ec2 on-demand us-east-1";

    @Test
    void builtInTableHasTheBundledPrices() {
        assertEquals(0.096, BUILT_IN.hourly("m5.large").orElseThrow(), 1e-12);
        assertEquals(0.0104, BUILT_IN.hourly("t3.micro").orElseThrow(), 1e-12);
        assertTrue(BUILT_IN.hourly("us-east-1").isEmpty(), "the row without a price is skipped");
        assertTrue(BUILT_IN.hourly("m99.large").isEmpty());
        assertTrue(BUILT_IN.hourly(null).isEmpty());
    }

    @Test
    void m5LargeSplitsTheOpenCostWay() {
        // m5.large: $0.096/h (CSV), 2 vCPU, 8 GiB. ratio = 0.031611 / 0.004237 = 7.4607033
        // ram = 0.096 / (2 × 7.4607033 + 8) = 0.096 / 22.9214067 = 0.00418822 $/GiB-h
        // cpu = 7.4607033 × 0.00418822 = 0.03124710 $/vCPU-h; check 2 × 0.0312471 + 8 × 0.0041882 = 0.096
        UnitPrices p = BUILT_IN.unitPrices("m5.large", 2, 8L << 30);
        assertEquals(0.00418822, p.usdPerGiBHour(), 1e-8);
        assertEquals(0.03124710, p.usdPerVcpuHour(), 1e-8);
        assertEquals(0.096, p.usdPerHour(), 1e-12);
        assertEquals("m5.large", p.instanceType());
        assertEquals(BUILT_IN_SOURCE, p.source());
        assertEquals(0.031611 / 0.004237, p.usdPerVcpuHour() / p.usdPerGiBHour(), 1e-9);
    }

    @Test
    void gravitonIsPricedFromItsOwnRow() {
        // m7g.large: $0.0816/h, 2 vCPU, 8 GiB: ram = 0.0816 / 22.9214067 = 0.00355999, cpu = 0.02656004
        UnitPrices p = BUILT_IN.unitPrices("m7g.large", 2, 8L << 30);
        assertEquals(0.0816, p.usdPerHour(), 1e-12);
        assertEquals(0.00355999, p.usdPerGiBHour(), 1e-8);
        assertEquals(0.02656004, p.usdPerVcpuHour(), 1e-8);
        assertEquals("m7g.large", p.instanceType());
    }

    @Test
    void burstableIsPricedFromItsOwnRowAndShape() {
        // t3.medium: $0.0416/h, 2 vCPU, 4 GiB: ram = 0.0416 / (14.9214067 + 4) = 0.00219857, cpu = 0.01640286
        UnitPrices p = BUILT_IN.unitPrices("t3.medium", 2, 4L << 30);
        assertEquals(0.0416, p.usdPerHour(), 1e-12);
        assertEquals(0.00219857, p.usdPerGiBHour(), 1e-8);
        assertEquals(0.01640286, p.usdPerVcpuHour(), 1e-8);
    }

    @Test
    void unknownTypeIsPricedAsTheSmallestM7iThatFitsAndSaysSo() {
        // 3 vCPUs need m7i.xlarge (4 vCPU, 16 GiB, $0.2016/h): ram = 0.2016 / (29.8428133 + 16) = 0.00439764
        UnitPrices p = BUILT_IN.unitPrices(null, 3, 12L << 30);
        assertEquals("m7i.xlarge", p.instanceType());
        assertEquals(0.2016, p.usdPerHour(), 1e-12);
        assertEquals(0.00439764, p.usdPerGiBHour(), 1e-8);
        assertEquals("assumed m7i.xlarge (instance type unknown): set the instance type", p.source());

        UnitPrices unpriced = BUILT_IN.unitPrices("m99.large", 2, 8L << 30);
        assertEquals("m7i.large", unpriced.instanceType());
        assertTrue(unpriced.source().startsWith("assumed m7i.large (no price for m99.large)"), unpriced.source());

        assertEquals("m7i.48xlarge", BUILT_IN.unitPrices(null, 500, 0).instanceType());
    }

    @Test
    void metalIsSplitByTheHostsOwnCounts() {
        // m5.metal: $4.608/h; 96 vCPU and 384 GiB as the host reports them.
        UnitPrices p = BUILT_IN.unitPrices("m5.metal", 96, 384L << 30);
        assertEquals(4.608, p.usdPerHour(), 1e-12);
        assertEquals(4.608, 96 * p.usdPerVcpuHour() + 384 * p.usdPerGiBHour(), 1e-9);
    }

    @Test
    void configuredCsvKeepsOneRegionAndFallsBackToAnotherGeneralPurposeFamily() throws IOException {
        String csv = """
                # my prices
                region,instance_type,usd_per_hour
                us-east-1,m5.large,0.1
                us-east-1,m5.xlarge,0.2
                eu-west-1,m5.large,0.9

                us-east-1,c5.large,0.05
                """;
        PriceTable t = PriceTable.fromCsv(new StringReader(csv));
        assertEquals(0.1, t.hourly("m5.large").orElseThrow(), 1e-12);
        assertEquals(0.9, PriceTable.fromCsv(new StringReader(csv), "eu-west-1", "eu").hourly("m5.large")
                .orElseThrow(), 1e-12);
        UnitPrices p = t.unitPrices(null, 4, 16L << 30);
        assertEquals("m5.xlarge", p.instanceType(), "no m7i or m6i in this table");
        assertTrue(p.source().startsWith("assumed m5.xlarge"));

        PriceTable noGeneralPurpose = PriceTable.fromCsv(new StringReader("us-east-1,c5.large,0.05\n"));
        UnitPrices none = noGeneralPurpose.unitPrices(null, 2, 4L << 30);
        assertEquals(0, none.usdPerHour());
        assertTrue(none.source().startsWith("unpriced"), none.source());
    }

    @Test
    void badCsvLinesAreRejected() {
        assertThrows(IOException.class, () -> PriceTable.fromCsv(new StringReader("us-east-1,m5.large\n")));
        assertThrows(IOException.class, () -> PriceTable.fromCsv(new StringReader("us-east-1,m5.large,cheap\n")));
        assertThrows(IOException.class, () -> PriceTable.fromCsv(new StringReader("us-east-1,m5.large,-1\n")));
    }
}
