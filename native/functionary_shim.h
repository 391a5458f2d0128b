/*
 * functionary_shim.h - small C API over llama.cpp's C++ "common" library,
 * for use from Swift (via a module map) or plain C.
 *
 * All strings are UTF-8. Strings returned by the shim are allocated with
 * malloc and must be released with fshim_free.
 */
#ifndef FUNCTIONARY_SHIM_H
#define FUNCTIONARY_SHIM_H

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Converts a JSON Schema (UTF-8 JSON text) to a GBNF grammar whose start rule
 * is `root`.
 * Returns a malloc'd NUL-terminated string, or NULL with *error set to a
 * malloc'd message (error may be NULL, then no message is returned).
 */
char * fshim_json_schema_to_gbnf(const char * schema_json, char ** error);

/* Frees strings returned by the shim. NULL is allowed. */
void fshim_free(void * p);

#ifdef __cplusplus
}
#endif

#endif /* FUNCTIONARY_SHIM_H */
