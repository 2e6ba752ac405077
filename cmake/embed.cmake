# Data files (schema, charts, inline function sources) become C++ sources: one generated file
# with a sorted table of {relative path, bytes}, looked up by pareto::embedded(path).
set(_PARETO_EMBED_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/embed_script.cmake")

# pareto_embed(target "source dir;generated dir" files...): paths below whichever holds the file.
function(pareto_embed target base_dirs)
  set(files ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_data.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" "-DBASE=${base_dirs}" "-DOUT=${out}" "-DFILES=${files}"
            -P "${_PARETO_EMBED_SCRIPT}"
    DEPENDS ${files} "${_PARETO_EMBED_SCRIPT}"
    COMMENT "Embedding ${target} data files"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
