package io.taskmeter.shipper;

/** /proc/PID/io: cumulative bytes, reaped children included. All zeros when the file is not readable. */
record ProcIo(long rchar, long wchar, long readBytes, long writeBytes) {
    static final ProcIo ZERO = new ProcIo(0, 0, 0, 0);

    ProcIo plus(ProcIo o) {
        return new ProcIo(rchar + o.rchar, wchar + o.wchar, readBytes + o.readBytes, writeBytes + o.writeBytes);
    }
}
