using System;

namespace SymbolicDiff.Samples.Data;

/// <summary>
/// A data file is malformed. The message is one line meant for the user as it stands: the file, where, what was expected
/// and what was found. The samples print it and exit with code 2.
/// </summary>
public sealed class DataFormatException : Exception
{
    /// <summary>Creates the exception with its one-line message.</summary>
    /// <param name="message">File, position, expected and found.</param>
    public DataFormatException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its one-line message and the exception that revealed the problem.</summary>
    /// <param name="message">File, position, expected and found.</param>
    /// <param name="inner">The underlying exception.</param>
    public DataFormatException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public DataFormatException() : base("malformed data")
    {
    }
}
