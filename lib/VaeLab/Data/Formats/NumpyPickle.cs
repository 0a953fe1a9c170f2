using System.Buffers.Binary;
using System.Text;

namespace VaeLab.Data.Formats;

/// <summary>
/// An unpickler for what numpy stores in .npy files with allow_pickle: arrays rebuilt through
/// numpy.core.multiarray._reconstruct, numpy.ndarray and numpy.dtype, nested in object arrays.
/// Protocols 2 to 4, including Python 2 pickles whose byte strings are read as latin-1 text (as
/// numpy.load(encoding='latin1') does). Only those globals can be called, so loading runs no code.
/// Values come back as null, bool, long, double, string, byte[], object?[] (tuple), List&lt;object?&gt;,
/// Dictionary&lt;object, object?&gt; and <see cref="NpyArray"/>.
/// </summary>
public static class NumpyPickle
{
    public static object? Load(byte[] pickle, string name) => new Machine(pickle, name).Run();

    /// <summary>A short description of an unpickled value for error messages.</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        NpyArray a => a.ToString(),
        object?[] t => $"a tuple of {t.Length}",
        List<object?> l => $"a list of {l.Count}",
        _ => $"a {value.GetType().Name}",
    };

    enum Callable { Reconstruct, Ndarray, Dtype, Encode, Bytes }

    static readonly Dictionary<string, Callable> Globals = new()
    {
        ["numpy.core.multiarray._reconstruct"] = Callable.Reconstruct,
        ["numpy._core.multiarray._reconstruct"] = Callable.Reconstruct,
        ["numpy.ndarray"] = Callable.Ndarray,
        ["numpy.dtype"] = Callable.Dtype,
        // Python 3 pickles bytes for protocol 2 as _codecs.encode(text, 'latin1').
        ["_codecs.encode"] = Callable.Encode,
        ["__builtin__.bytes"] = Callable.Bytes,
        ["builtins.bytes"] = Callable.Bytes,
    };

    /// <summary>An ndarray between _reconstruct and the BUILD that gives it its contents.</summary>
    sealed class PendingArray
    {
        public NpyArray? Array;
    }

    /// <summary>A numpy.dtype between its REDUCE and the BUILD that gives its byte order.</summary>
    sealed class PendingDtype(string code)
    {
        public string Code => code;
        public NpyDtype? Dtype;
    }

    sealed class Machine(byte[] data, string name)
    {
        readonly List<object?> stack = [];
        readonly Stack<int> marks = new();
        readonly Dictionary<long, object?> memo = [];
        int position;
        int opcodeAt;

        public object? Run()
        {
            while (true)
            {
                opcodeAt = position;
                var op = Byte();
                switch (op)
                {
                    case 0x80: // PROTO
                        var protocol = Byte();
                        if (protocol > 4) throw Error($"pickle protocol {protocol} is not supported (2 to 4 are)");
                        break;
                    case 0x95: Length(UInt64()); break; // FRAME: a buffering hint; its opcodes follow
                    case (byte)'.': // STOP
                        if (stack.Count != 1 || marks.Count != 0) throw Error($"the pickle ends with {stack.Count} values on the stack");
                        return Finish(stack[0]);
                    case (byte)'(': marks.Push(stack.Count); break; // MARK
                    case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                    case (byte)'t': Push(PopToMark().ToArray()); break; // TUPLE
                    case 0x85: Push(PopMany(1)); break; // TUPLE1
                    case 0x86: Push(PopMany(2)); break; // TUPLE2
                    case 0x87: Push(PopMany(3)); break; // TUPLE3
                    case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                    case (byte)'l': Push(PopToMark()); break; // LIST
                    case (byte)'a': // APPEND
                        var item = Pop();
                        Peek<List<object?>>("APPEND").Add(item);
                        break;
                    case (byte)'e': // APPENDS
                        var items = PopToMark();
                        Peek<List<object?>>("APPENDS").AddRange(items);
                        break;
                    case (byte)'}': Push(new Dictionary<object, object?>()); break; // EMPTY_DICT
                    case (byte)'d': Push(ToDict(PopToMark())); break; // DICT
                    case (byte)'s': // SETITEM
                        var pair = PopMany(2);
                        SetItems(Peek<Dictionary<object, object?>>("SETITEM"), pair);
                        break;
                    case (byte)'u': // SETITEMS
                        var pairs = PopToMark();
                        SetItems(Peek<Dictionary<object, object?>>("SETITEMS"), pairs);
                        break;
                    case (byte)'N': Push(null); break; // NONE
                    case 0x88: Push(true); break; // NEWTRUE
                    case 0x89: Push(false); break; // NEWFALSE
                    case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                    case (byte)'K': Push((long)Byte()); break; // BININT1
                    case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                    case 0x8a: Push(Long(Byte())); break; // LONG1
                    case 0x8b: Push(Long(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))); break; // LONG4
                    case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                    case (byte)'X': Push(Text(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4))))); break; // BINUNICODE
                    case 0x8c: Push(Text(Byte())); break; // SHORT_BINUNICODE
                    case 0x8d: Push(Text(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8))))); break; // BINUNICODE8
                    case (byte)'T': Push(Encoding.Latin1.GetString(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))))); break; // BINSTRING
                    case (byte)'U': Push(Encoding.Latin1.GetString(Take(Byte()))); break; // SHORT_BINSTRING
                    case (byte)'B': Push(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))).ToArray()); break; // BINBYTES
                    case (byte)'C': Push(Take(Byte()).ToArray()); break; // SHORT_BINBYTES
                    case 0x8e: Push(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)))).ToArray()); break; // BINBYTES8
                    case (byte)'c': Push(Global(Line(), Line())); break; // GLOBAL
                    case 0x93: // STACK_GLOBAL
                        var names = PopMany(2);
                        if (names[0] is not string module || names[1] is not string qualname) throw Error("STACK_GLOBAL needs two strings");
                        Push(Global(module, qualname));
                        break;
                    case (byte)'R': // REDUCE
                        var args = Pop();
                        var callable = Pop();
                        Push(Call(callable, args));
                        break;
                    case (byte)'b': // BUILD
                        var state = Pop();
                        Build(Peek<object>("BUILD"), state);
                        break;
                    case (byte)'q': memo[Byte()] = Top("BINPUT"); break; // BINPUT
                    case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Top("LONG_BINPUT"); break; // LONG_BINPUT
                    case 0x94: memo[memo.Count] = Top("MEMOIZE"); break; // MEMOIZE
                    case (byte)'h': Push(Recall(Byte())); break; // BINGET
                    case (byte)'j': Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)))); break; // LONG_BINGET
                    case (byte)'0': Pop(); break; // POP
                    case (byte)'1': PopToMark(); break; // POP_MARK
                    case (byte)'2': Push(Top("DUP")); break; // DUP
                    default: throw Error($"unsupported pickle opcode 0x{op:x2} ('{(char)op}')");
                }
            }
        }

        DataFormatException Error(string reason) => new(name, $"pickle byte {opcodeAt}", reason);

        // ---- input -------------------------------------------------------------------------------
        byte Byte() => Take(1)[0];

        ulong UInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

        ReadOnlySpan<byte> Take(int count)
        {
            if (count > data.Length - position) throw Error("the pickle ends early (truncated)");
            var span = data.AsSpan(position, count);
            position += count;
            return span;
        }

        int Length(ulong length) => length <= (ulong)(data.Length - position) ? (int)length : throw Error("the pickle ends early (truncated)");

        string Text(int length)
        {
            try { return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Take(length)); }
            catch (DecoderFallbackException) { throw Error("a string is not valid UTF-8"); }
        }

        string Line()
        {
            var end = Array.IndexOf(data, (byte)'\n', position);
            if (end < 0) throw Error("the pickle ends early (truncated)");
            var text = Encoding.ASCII.GetString(data, position, end - position);
            position = end + 1;
            return text;
        }

        long Long(int length)
        {
            // Two's complement, little-endian; numpy's pickles only hold small integers.
            if (length > 8) throw Error($"a {length}-byte integer does not fit 64 bits");
            var bytes = Take(length);
            long value = length > 0 && (bytes[^1] & 0x80) != 0 ? -1 : 0;
            for (var i = length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
            return value;
        }

        // ---- stack -------------------------------------------------------------------------------
        void Push(object? value) => stack.Add(value);

        object? Pop()
        {
            if (stack.Count == 0 || (marks.Count > 0 && marks.Peek() == stack.Count)) throw Error("the stack is empty");
            var value = stack[^1];
            stack.RemoveAt(stack.Count - 1);
            return value;
        }

        object? Top(string opcode) => stack.Count > 0 ? stack[^1] : throw Error($"{opcode} on an empty stack");

        T Peek<T>(string opcode) => Top(opcode) is T value ? value : throw Error($"{opcode} on {Describe(stack[^1])}");

        object?[] PopMany(int count)
        {
            var floor = marks.Count > 0 ? marks.Peek() : 0;
            if (stack.Count - floor < count) throw Error($"needs {count} values on the stack");
            var values = stack.GetRange(stack.Count - count, count).ToArray();
            stack.RemoveRange(stack.Count - count, count);
            return values;
        }

        List<object?> PopToMark()
        {
            if (marks.Count == 0) throw Error("no MARK on the stack");
            var start = marks.Pop();
            var values = stack.GetRange(start, stack.Count - start);
            stack.RemoveRange(start, stack.Count - start);
            return values;
        }

        object? Recall(long key) => memo.TryGetValue(key, out var value) ? value : throw Error($"memo {key} was never stored");

        Dictionary<object, object?> ToDict(List<object?> pairs)
        {
            var dict = new Dictionary<object, object?>();
            SetItems(dict, pairs);
            return dict;
        }

        void SetItems(Dictionary<object, object?> dict, IReadOnlyList<object?> pairs)
        {
            if (pairs.Count % 2 != 0) throw Error("a dict needs key, value pairs");
            for (var i = 0; i < pairs.Count; i += 2)
                dict[pairs[i] is { } key and (string or long or bool or double) ? key : throw Error($"unsupported dict key {Describe(pairs[i])}")] = pairs[i + 1];
        }

        // ---- numpy -------------------------------------------------------------------------------
        Callable Global(string module, string qualname) =>
            Globals.TryGetValue($"{module}.{qualname}", out var callable) ? callable
                : throw Error($"unsupported pickle global {module}.{qualname} (only numpy arrays can be read)");

        object Call(object? callable, object? args)
        {
            if (callable is not Callable function) throw Error($"REDUCE calls {Describe(callable)}, which is not callable");
            if (args is not object?[] a) throw Error($"REDUCE arguments are {Describe(args)}, not a tuple");
            switch (function)
            {
                case Callable.Reconstruct when a.Length == 3 && a[0] is Callable.Ndarray:
                    return new PendingArray();
                case Callable.Dtype when a.Length >= 1 && a[0] is string code:
                    return new PendingDtype(code);
                case Callable.Encode when a.Length == 2 && a[0] is string text && a[1] is "latin1" or "latin-1":
                    return Encoding.Latin1.GetBytes(text);
                case Callable.Bytes when a.Length == 0:
                    return Array.Empty<byte>();
                default:
                    throw Error($"unsupported call of {function} with {Describe(args)}");
            }
        }

        void Build(object target, object? state)
        {
            if (state is not object?[] s) throw Error($"BUILD state is {Describe(state)}, not a tuple");
            switch (target)
            {
                case PendingDtype dtype:
                    // (version, byte order, subarray, names, fields, elsize, alignment, flags[, metadata])
                    if (s.Length < 5 || s[1] is not string order || s[2] is not null || s[3] is not null || s[4] is not null)
                        throw Error($"dtype '{dtype.Code}' has a state this reader does not handle (structured or subarray dtypes are not supported)");
                    dtype.Dtype = NpyDtypeExtensions.FromDescr(order + dtype.Code) ?? throw Error($"unsupported dtype '{order}{dtype.Code}'");
                    break;
                case PendingArray array:
                    array.Array = BuildArray(s);
                    break;
                default:
                    throw Error($"BUILD on {Describe(target)}");
            }
        }

        NpyArray BuildArray(object?[] state)
        {
            // (version, shape, dtype, is_fortran, data); very old pickles leave out the version.
            var s = state.Length == 5 ? state[1..] : state;
            if (s.Length != 4 || s[0] is not object?[] dims || dims.Any(d => d is not long) || s[1] is not PendingDtype { Dtype: { } dtype } || s[2] is not (bool or long))
                throw Error($"ndarray state {Describe(state)} is not (version, shape, dtype, is_fortran, data)");
            var shape = dims.Cast<long>().ToArray();
            var fortran = s[2] is true or 1L;
            long count = 1;
            foreach (var n in shape)
                count = n >= 0 && (n == 0 || count <= int.MaxValue / n) ? count * n : throw Error($"ndarray shape ({string.Join(", ", shape)}) is invalid or too large");
            if (dtype == NpyDtype.Object)
            {
                if (s[3] is not List<object?> items || items.Count != count) throw Error($"object array data is {Describe(s[3])}, expected a list of {count}");
                var values = items.Select(Finish).ToArray();
                return new NpyArray(fortran ? NpyFile.FortranToC(values, shape) : values, shape);
            }
            var bytes = s[3] switch
            {
                byte[] b => b,
                // Python 2 byte strings arrive as latin-1 text.
                string text => Encoding.Latin1.GetBytes(text),
                _ => throw Error($"ndarray data is {Describe(s[3])}, not bytes"),
            };
            if (bytes.Length != count * dtype.ItemSize())
                throw Error($"ndarray data has {bytes.Length} bytes but shape ({string.Join(", ", shape)}) of {dtype.Descr()} needs {count * dtype.ItemSize()}");
            var data = dtype.Decode(bytes);
            return new NpyArray(fortran ? NpyFile.FortranToC(data, shape) : data, shape);
        }

        /// <summary>Replaces numpy objects still under construction by what they became.</summary>
        object? Finish(object? value) => value switch
        {
            PendingArray { Array: { } array } => array,
            PendingArray => throw Error("an ndarray was never given its contents (no BUILD)"),
            PendingDtype or Callable => throw Error($"a bare {value.GetType().Name} is not data"),
            _ => value,
        };
    }
}
