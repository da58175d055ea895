package io.taskmeter.core.cost;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InstanceShapeTest {
    private static void assertShape(String type, double vcpus, double gib) {
        InstanceShape s = InstanceShape.of(type).orElseThrow(() -> new AssertionError("no shape for " + type));
        assertEquals(vcpus, s.vcpus(), 1e-9, type + " vCPUs");
        assertEquals(gib, s.memoryGiB(), 1e-9, type + " GiB");
    }

    @Test
    void sizesAndFamilies() {
        assertShape("c6i.4xlarge", 16, 32);
        assertShape("r5.large", 2, 16);
        assertShape("m5.large", 2, 8);
        assertShape("m7i.48xlarge", 192, 768);
        assertShape("z1d.xlarge", 4, 32);
        assertShape("a1.large", 2, 4);
        assertShape("m7i-flex.2xlarge", 8, 32);
        assertShape("m7i.metal-24xl", 96, 384);
    }

    @Test
    void mediumIsOneVcpuOutsideBurstables() {
        assertShape("m6g.medium", 1, 4);
        assertShape("a1.medium", 1, 2);
        assertShape("r6g.medium", 1, 8);
    }

    @Test
    void burstablesHaveAFixedShapePerSize() {
        assertShape("t3.micro", 2, 1);
        assertShape("t3.medium", 2, 4);
        assertShape("t4g.nano", 2, 0.5);
        assertShape("t3a.2xlarge", 8, 32);
        assertShape("t2.micro", 1, 1);
        assertShape("t2.medium", 2, 4);
    }

    @Test
    void extraMemoryXTypes() {
        assertShape("x2idn.16xlarge", 64, 1024);
        assertShape("x2iedn.xlarge", 4, 128);
    }

    @Test
    void unreadableTypesAreEmpty() {
        assertTrue(InstanceShape.of(null).isEmpty());
        assertTrue(InstanceShape.of("m5.metal").isEmpty());
        assertTrue(InstanceShape.of("u-6tb1.metal").isEmpty());
        assertTrue(InstanceShape.of("hpc6a.48xlarge").isEmpty());
        assertTrue(InstanceShape.of("not-an-instance").isEmpty());
        assertTrue(InstanceShape.of("t3.4xlarge").isEmpty());
    }
}
