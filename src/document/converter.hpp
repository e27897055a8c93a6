#pragma once
// The converter process (internal): faxd-render, the program that run_isolated starts for every
// upload, and the daemon's side of its command line. The daemon never parses untrusted documents
// itself; faxd-render loads and checks the inputs, renders and codes the pages and writes the
// TIFF-F, reporting a page done and its reply over the pipe of isolation.hpp.
//
//   faxd-render inspect LIMITS -- IN            the page count of one upload
//   faxd-render convert LIMITS --quality Q --threads N --out OUT.tiff -- IN...
//   LIMITS: --max-pages N --max-bytes N --max-page-inches X
//
// faxd-render lives beside the binary that uses it (the daemon in the build tree and installed in
// /usr/bin); test and benchmark programs of the build tree use the build tree's one.
#include <string>
#include <vector>

#include "faxd/common/error.hpp"
#include "faxd/document/document.hpp"

namespace faxd::document {

std::vector<std::string> inspect_command(const std::string& program, const std::string& path,
                                         const ConvertOptions& options);
std::vector<std::string> convert_command(const std::string& program,
                                         const std::vector<std::string>& inputs,
                                         const std::string& out_tiff, Quality quality,
                                         const ConvertOptions& options);

// What the converter answers for a conversion, and back (page geometry and coded sizes).
std::string serialize(const FaxDocumentInfo& info);
FaxDocumentInfo deserialize(const std::string& s);

// faxd-render's main: runs one command and writes its reply to kReplyFd. Exit 0 when a reply was
// written (a refused document too), 2 on bad usage.
int converter_main(int argc, char** argv);

// The conversion itself, in this process (convert.cpp): what faxd-render runs, and what
// convert_to_fax_tiff runs without isolation.
Result<FaxDocumentInfo> convert_here(const std::vector<std::string>& paths,
                                     const std::string& out_tiff, Quality quality,
                                     const ConvertOptions& options);

}  // namespace faxd::document
