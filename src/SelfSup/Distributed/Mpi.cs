using System.Runtime.InteropServices;

namespace SelfSup.Distributed;

/// <summary>
/// The thin P/Invoke layer over Open MPI's <c>libmpi.so.40</c> (Debian's <c>openmpi-bin</c>/<c>libopenmpi-dev</c>, 4.1).
/// <para>
/// No .NET MPI binding works here (MPI.NET hard-codes MS-MPI's integer handles), so the few calls SelfSup needs are
/// bound by hand. Two Open MPI facts shape this file: its handles are the addresses of global objects —
/// <c>MPI_COMM_WORLD</c> is <c>&amp;ompi_mpi_comm_world</c>, <c>MPI_FLOAT</c> is <c>&amp;ompi_mpi_float</c>, <c>MPI_SUM</c> is
/// <c>&amp;ompi_mpi_op_sum</c> — read with <see cref="NativeLibrary.GetExport"/>; and <c>libmpi</c> must be loaded with
/// <c>RTLD_GLOBAL</c> before <c>MPI_Init</c>, or the plugins it opens (shared memory, TCP, the PMIx client) cannot see its
/// symbols and fail to load. .NET's own loader uses <c>RTLD_LOCAL</c>, so the library is opened with libc's <c>dlopen</c>.
/// </para>
/// Every call's return code is checked; Open MPI's default error handler (<c>MPI_ERRORS_ARE_FATAL</c>) already ends
/// the job on a failed collective, so a non-zero code here is reported rather than handled.
/// </summary>
internal static unsafe class Mpi
{
    private const int RtldNow = 0x2, RtldGlobal = 0x100;
    private const int ThreadSerialized = 2;   // MPI_THREAD_SERIALIZED: calls from any thread, one at a time
    public static readonly IntPtr InPlace = 1;  // Open MPI's MPI_IN_PLACE is ((void *) 1)

    [DllImport("libc", EntryPoint = "dlopen")] private static extern IntPtr DlOpen([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);
    [DllImport("libc", EntryPoint = "dlerror")] private static extern IntPtr DlError();
    [DllImport("libc", EntryPoint = "setenv")] private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);

    /// <summary>The library names tried, newest ABI first (Open MPI 3.x–5.x all use <c>libmpi.so.40</c>).</summary>
    public static readonly string[] LibraryNames = ["libmpi.so.40", "libmpi.so"];

    private static IntPtr lib;
    public static IntPtr CommWorld, Float, Double, Byte, Int, OpSum, OpMax;

    private static delegate* unmanaged<int*, int> initialized, finalized;
    private static delegate* unmanaged<IntPtr, IntPtr, int, int*, int> initThread;
    private static delegate* unmanaged<int> finalize;
    private static delegate* unmanaged<IntPtr, int*, int> commRank, commSize;
    private static delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int> allreduce;
    private static delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int> bcast;
    private static delegate* unmanaged<IntPtr, int> barrier;
    private static delegate* unmanaged<IntPtr, int, int> abort;

    /// <summary>Loads <c>libmpi</c> globally and binds the calls; a clear error names what is missing and how to install it.</summary>
    public static void Load()
    {
        if (lib != IntPtr.Zero) return;
        string? why = null;
        foreach (var name in LibraryNames)
        {
            lib = DlOpen(name, RtldNow | RtldGlobal);
            if (lib != IntPtr.Zero) break;
            why ??= Marshal.PtrToStringUTF8(DlError());
        }
        if (lib == IntPtr.Zero)
            throw new SelfSupError($"this process was started by mpirun/srun but Open MPI's library could not be loaded ({why}); " +
                "install it (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev, or `make setup`) and start the job with that Open MPI's mpirun");
        IntPtr Get(string symbol)
        {
            if (NativeLibrary.TryGetExport(lib, symbol, out var address)) return address;
            throw new SelfSupError($"the loaded libmpi has no symbol '{symbol}': SelfSup's MPI layer needs Open MPI (3.x–5.x); MPICH and Intel MPI use other handles");
        }
        CommWorld = Get("ompi_mpi_comm_world"); Float = Get("ompi_mpi_float"); Double = Get("ompi_mpi_double");
        Byte = Get("ompi_mpi_byte"); Int = Get("ompi_mpi_int"); OpSum = Get("ompi_mpi_op_sum"); OpMax = Get("ompi_mpi_op_max");
        initialized = (delegate* unmanaged<int*, int>)Get("MPI_Initialized");
        finalized = (delegate* unmanaged<int*, int>)Get("MPI_Finalized");
        initThread = (delegate* unmanaged<IntPtr, IntPtr, int, int*, int>)Get("MPI_Init_thread");
        finalize = (delegate* unmanaged<int>)Get("MPI_Finalize");
        commRank = (delegate* unmanaged<IntPtr, int*, int>)Get("MPI_Comm_rank");
        commSize = (delegate* unmanaged<IntPtr, int*, int>)Get("MPI_Comm_size");
        allreduce = (delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int>)Get("MPI_Allreduce");
        bcast = (delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int>)Get("MPI_Bcast");
        barrier = (delegate* unmanaged<IntPtr, int>)Get("MPI_Barrier");
        abort = (delegate* unmanaged<IntPtr, int, int>)Get("MPI_Abort");
    }

    private static void Check(int code, string call)
    {
        if (code != 0) throw new SelfSupError($"{call} failed with MPI error code {code}");
    }

    /// <summary><c>MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &amp;provided)</c> unless MPI is already initialised.</summary>
    public static void Init()
    {
        // A rank waiting in a collective yields its core instead of spinning, unless the user set it: each rank's view
        // prefetcher needs that core (docs/notes/2026-11-26-cpu-runtime-measurements.md#open-mpi-ranks-yield-instead-of-spinning). Open MPI reads its
        // MCA parameters from the native environment at MPI_Init (.NET's SetEnvironmentVariable does not reach it).
        SetEnv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
        Load();
        int flag;
        Check(initialized(&flag), "MPI_Initialized");
        if (flag != 0) return;
        int provided;
        Check(initThread(IntPtr.Zero, IntPtr.Zero, ThreadSerialized, &provided), "MPI_Init_thread");
        if (provided < ThreadSerialized)
            throw new SelfSupError($"this MPI provides thread level {provided}; SelfSup needs MPI_THREAD_SERIALIZED (2): autograd may call collectives from its own thread");
    }

    public static void Shutdown()
    {
        if (lib == IntPtr.Zero) return;
        int done;
        if (finalized(&done) == 0 && done == 0) finalize();
    }

    public static int Rank() { int r; Check(commRank(CommWorld, &r), "MPI_Comm_rank"); return r; }

    public static int Size() { int s; Check(commSize(CommWorld, &s), "MPI_Comm_size"); return s; }

    /// <summary>In-place all-reduce of <paramref name="count"/> elements at <paramref name="buffer"/> (chunked below 2³¹ elements).</summary>
    public static void AllReduce(IntPtr buffer, long count, IntPtr type, int elementSize, IntPtr op)
    {
        const long chunk = int.MaxValue / 2;
        for (long done = 0; done < count; done += chunk)
        {
            int n = (int)Math.Min(chunk, count - done);
            Check(allreduce(InPlace, buffer + (nint)(done * elementSize), n, type, op, CommWorld), "MPI_Allreduce");
        }
    }

    /// <summary>Broadcast of <paramref name="bytes"/> bytes at <paramref name="buffer"/> from <paramref name="root"/>.</summary>
    public static void Broadcast(IntPtr buffer, long bytes, int root)
    {
        const long chunk = int.MaxValue / 2;
        for (long done = 0; done < bytes; done += chunk)
            Check(bcast(buffer + (nint)done, (int)Math.Min(chunk, bytes - done), Byte, root, CommWorld), "MPI_Bcast");
    }

    public static void Barrier() => Check(barrier(CommWorld), "MPI_Barrier");

    /// <summary><c>MPI_Abort(MPI_COMM_WORLD, code)</c>: ends every rank of the job (does not return).</summary>
    public static void Abort(int code) => abort(CommWorld, code);
}
