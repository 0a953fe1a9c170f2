// Compiled by MSBuild's RoslynCodeTaskFactory (TorchSharp.targets) against netstandard2.0; not part of VaeLab.dll.
using System;
using System.IO;
using System.Linq;
using System.Text;
using System.Collections.Generic;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks one version requirement of an ELF shared library weak (VER_FLG_WEAK in its .gnu.version_r entry), so that
/// the dynamic loader warns instead of refusing when the libstdc++ it finds lacks that version. Does nothing when the
/// libstdc++ this process runs with has the version, or when the flag is already set.
/// </summary>
public sealed class WeakenGlibcxxRequirement : Task
{
    [Required] public string Library { get; set; } = "";
    [Required] public string Version { get; set; } = "";

    const uint SHT_GNU_verneed = 0x6ffffffe;
    const ushort VER_FLG_WEAK = 0x2;

    public override bool Execute()
    {
        if (!File.Exists(Library)) return true;
        if (LibstdcxxHas(Version)) return true;
        var bytes = File.ReadAllBytes(Library);
        int flagsOffset;
        try { flagsOffset = FindRequirementFlags(bytes, Version); }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidDataException)
        {
            Log.LogWarning($"{Library}: not a 64-bit little-endian ELF library as expected ({e.Message}); left as it is");
            return true;
        }
        if (flagsOffset < 0) return true;
        var flags = BitConverter.ToUInt16(bytes, flagsOffset);
        if ((flags & VER_FLG_WEAK) != 0) return true;

        BitConverter.GetBytes((ushort)(flags | VER_FLG_WEAK)).CopyTo(bytes, flagsOffset);
        // Another build may be reading the file: write a sibling and rename it over the original.
        var temporary = $"{Library}.{Guid.NewGuid():N}.tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Replace(temporary, Library, null);
        Log.LogMessage(MessageImportance.High,
            $"VaeLab: this system's libstdc++ lacks {Version}; marked that requirement of {Path.GetFileName(Library)} weak so that TorchSharp loads ({Library})");
        return true;
    }

    /// <summary>Whether the libstdc++ of this process (or, failing that, of the usual folders) defines the version.</summary>
    static bool LibstdcxxHas(string version)
    {
        var candidates = File.Exists("/proc/self/maps")
            ? File.ReadLines("/proc/self/maps").Select(line => line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
                .Where(path => Path.GetFileName(path).StartsWith("libstdc++.so", StringComparison.Ordinal)).Distinct().ToList()
            : new List<string>();
        if (candidates.Count == 0)
        {
            candidates = new[] { "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" }
                .Select(folder => Path.Combine(folder, "libstdc++.so.6")).Where(File.Exists).Take(1).ToList();
        }
        var needle = Encoding.ASCII.GetBytes(version + "\0");
        return candidates.Any(path => File.Exists(path) && Contains(File.ReadAllBytes(path), needle));
    }

    static bool Contains(byte[] haystack, byte[] needle)
    {
        for (var start = Array.IndexOf(haystack, needle[0]); start >= 0 && start <= haystack.Length - needle.Length;
             start = Array.IndexOf(haystack, needle[0], start + 1))
        {
            var i = 1;
            while (i < needle.Length && haystack[start + i] == needle[i]) i++;
            if (i == needle.Length) return true;
        }
        return false;
    }

    /// <summary>The file offset of vna_flags of the Vernaux entry named <paramref name="version"/>, or -1.</summary>
    static int FindRequirementFlags(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("no ELF magic");
        if (elf[4] != 2 || elf[5] != 1) throw new InvalidDataException("not ELF64 little-endian");
        var sectionTable = checked((int)BitConverter.ToUInt64(elf, 0x28));
        var entrySize = BitConverter.ToUInt16(elf, 0x3a);
        var count = BitConverter.ToUInt16(elf, 0x3c);
        for (var i = 0; i < count; i++)
        {
            var header = sectionTable + i * entrySize;
            if (BitConverter.ToUInt32(elf, header + 4) != SHT_GNU_verneed) continue;
            var offset = checked((int)BitConverter.ToUInt64(elf, header + 0x18));
            var link = BitConverter.ToUInt32(elf, header + 0x28);
            var needCount = BitConverter.ToUInt32(elf, header + 0x2c);
            var strings = checked((int)BitConverter.ToUInt64(elf, sectionTable + (int)link * entrySize + 0x18));
            for (var n = 0; n < needCount; n++)
            {
                // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
                var auxCount = BitConverter.ToUInt16(elf, offset + 2);
                var aux = offset + (int)BitConverter.ToUInt32(elf, offset + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                    var nameStart = strings + (int)BitConverter.ToUInt32(elf, aux + 8);
                    var nameEnd = Array.IndexOf(elf, (byte)0, nameStart);
                    if (Encoding.ASCII.GetString(elf, nameStart, nameEnd - nameStart) == version) return aux + 4;
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                offset += (int)BitConverter.ToUInt32(elf, offset + 12);
            }
        }
        return -1;
    }
}
