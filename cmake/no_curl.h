/* no_curl.h — forced into every file of core/, ui/ and platform/ (`-include`, see the top
 * CMakeLists.txt): only sync talks to HQ. <curl/curl.h> declares nothing after this (its
 * include guard is taken), so any curl_* call is an implicit declaration, an error in those
 * layers (-Werror=implicit-function-declaration), and the names below cannot be written at all.
 * tests/check_boundaries.py plants such code and checks that it fails to build (issue 13). */
#ifndef CP_NO_CURL_H
#define CP_NO_CURL_H
#define CURLINC_CURL_H
#define __CURL_CURL_H
#pragma GCC poison CURL CURLcode curl_easy_init curl_easy_setopt curl_easy_perform
#pragma GCC poison curl_easy_cleanup curl_global_init curl_version_info
#endif
