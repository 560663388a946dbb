// Where the prepared data lives: the converted weights (weights/*.h5) and images (images/)
// that scripts/setup (scripts/prepare-data) makes from the data source folder.
//
// The prepared folder is the first of these that is given (a later one is not consulted, so
// a folder named on purpose is never silently replaced by another):
//   1. --data DIR                  (set_data_dir; `depthstyle --data DIR COMMAND ...`)
//   2. $DEPTHSTYLE_PREPARED        (environment; empty counts as unset)
//   3. <executable's folder>/../share/depthstyle: the installed default, found from
//      /proc/self/exe (not from a path compiled in), where `cmake --install BUILD
//      --component data` puts the data. In a build tree, <build>/share/depthstyle is a link
//      to <source>/data made at configure time, so build/bin/depthstyle finds data/.
// $DEPTHSTYLE_DATA is not one of them: it names the data *source* folder (raw downloads,
// default ../shared/data) that scripts/setup reads, not the prepared one.
#pragma once
#include <string>
#include <vector>

namespace ds {

// What the lookup starts from: the --data option ("" when not given), the environment value
// ("" when unset) and the path of the running executable ("" when unknown).
struct DataSearch {
  std::string option;
  std::string env;
  std::string exe_path;
};
DataSearch current_data_search();  // set_data_dir's folder, $DEPTHSTYLE_PREPARED, /proc/self/exe

// The three places in order, for messages: "--data DIR: not given", "$DEPTHSTYLE_PREPARED: /x", ...
std::vector<std::string> data_places(const DataSearch& s);
// The prepared folder: the first place given (see above); it may not exist.
std::string prepared_dir(const DataSearch& s);
// <prepared>/<relative>, checked to exist. Otherwise ds::Error naming the file, every place
// in order, and how to make or install the data.
std::string prepared_file(const DataSearch& s, const std::string& relative);

// The same for the running program.
std::string prepared_dir();
std::string prepared_file(const std::string& relative);

// The --data option: `dir` must be an existing folder (else ds::Error naming it); "" clears it.
void set_data_dir(const std::string& dir);

}  // namespace ds
