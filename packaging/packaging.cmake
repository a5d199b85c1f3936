# Installation beyond the two programs, and CPack: a .deb and a .tar.gz on Linux, an NSIS installer
# and a .zip on Windows. The version of every package, of the AppStream release entry and of
# `--version` is PROJECT_VERSION, set by project() in the top CMakeLists.txt. docs/packaging.md
# says how to build and test the packages.
include(GNUInstallDirs)

set(OOD_APP_ID org.oodinspector.OODInspector)
# The day PROJECT_VERSION was released, for AppStream's release entry: change it with the version.
# Not the build date, so that two builds of one version give the same metainfo.
set(OOD_RELEASE_DATE "2026-12-04")

if(UNIX AND NOT APPLE)
  # Desktop integration (freedesktop.org): menu entry, software-centre metadata, icons, and the
  # profile's MIME type so that a double-click on a .oodprofile opens it in ood-inspector. The
  # caches (desktop database, MIME database, icon cache) are refreshed by the dpkg triggers of
  # desktop-file-utils, shared-mime-info and hicolor-icon-theme, so the .deb needs no scripts.
  install(FILES ${CMAKE_SOURCE_DIR}/packaging/linux/${OOD_APP_ID}.desktop
    DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  configure_file(${CMAKE_SOURCE_DIR}/packaging/linux/${OOD_APP_ID}.metainfo.xml.in
    ${CMAKE_BINARY_DIR}/packaging/${OOD_APP_ID}.metainfo.xml @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/packaging/${OOD_APP_ID}.metainfo.xml
    DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${CMAKE_SOURCE_DIR}/packaging/linux/${OOD_APP_ID}.mime.xml
    DESTINATION ${CMAKE_INSTALL_DATADIR}/mime/packages RENAME ${OOD_APP_ID}.xml)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/resources/icons/hicolor
    DESTINATION ${CMAKE_INSTALL_DATADIR}/icons)
endif()

set(CPACK_PACKAGE_NAME ood-inspector)
set(CPACK_PACKAGE_VENDOR "OOD Inspector")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
  "OOD Inspector scores endoscopy frames with many post-hoc out-of-distribution detectors (NERO and \
its baselines), explains why a frame looks unfamiliar to a trained classifier, and lets people review \
and report. It contains the desktop application ood-inspector and the command-line program \
ood-inspect, with a bundled demo.")
set(CPACK_PACKAGE_CONTACT "OOD Inspector maintainers <maintainers@users.noreply.b-seed-a03c8cc7.example>")
set(CPACK_PACKAGE_INSTALL_DIRECTORY "OOD Inspector")
set(CPACK_PACKAGE_CHECKSUM SHA256)
# Values reach the generators exactly as written here (backslashes, quotes and $ for NSIS).
set(CPACK_VERBATIM_VARIABLES ON)
# The packaged programs carry no debug information: a RelWithDebInfo build's is about ten times the
# size of the code (docs/packaging.md); the build tree keeps it for debugging.
set(CPACK_STRIP_FILES ON)

if(WIN32)
  set(CPACK_GENERATOR "NSIS;ZIP")
else()
  set(CPACK_GENERATOR "DEB;TGZ")
endif()

# Debian. Depends is worked out by dpkg-shlibdeps from the libraries the two programs link; what it
# cannot see is added by hand: the SQLite driver of Qt SQL is a plugin loaded at run time (the review
# store needs it), and WordNet is data the zero-shot detectors read. Recommended: Qt's own German messages (standard dialogs) and Wayland support.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, wordnet-base")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-translations-l10n, qt6-wayland")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

# Windows (untested here, docs/packaging.md): an NSIS installer that installs for the current user
# only (no administrator rights, under %LOCALAPPDATA%\Programs), with a Start menu entry and the
# .oodprofile association registered under HKEY_CURRENT_USER.
if(WIN32)
  # A window program, not a console one; Qt's entry point supplies WinMain.
  set_target_properties(ood-inspector PROPERTIES WIN32_EXECUTABLE ON)
  # The DLLs the programs need: Qt's (with its plugins) through windeployqt, the others (LibTorch,
  # OpenCV, FAISS, QCustomPlot) from wherever the build found them.
  qt_generate_deploy_app_script(TARGET ood-inspector FILENAME_VARIABLE OOD_QT_DEPLOY_SCRIPT
    NO_UNSUPPORTED_PLATFORM_ERROR)
  install(SCRIPT ${OOD_QT_DEPLOY_SCRIPT})
  install(CODE [[
    file(GET_RUNTIME_DEPENDENCIES
      EXECUTABLES "$<TARGET_FILE:ood-inspect>" "$<TARGET_FILE:ood-inspector>"
      DIRECTORIES $ENV{PATH}
      RESOLVED_DEPENDENCIES_VAR OOD_DLLS UNRESOLVED_DEPENDENCIES_VAR OOD_MISSING_DLLS
      PRE_EXCLUDE_REGEXES "^api-ms-" "^ext-ms-"
      POST_EXCLUDE_REGEXES "[Ss]ystem32")
    if(OOD_MISSING_DLLS)
      message(WARNING "Not found, not packaged: ${OOD_MISSING_DLLS}")
    endif()
    file(INSTALL ${OOD_DLLS} DESTINATION "${CMAKE_INSTALL_PREFIX}/bin")
  ]])

  set(CPACK_NSIS_PACKAGE_NAME "OOD Inspector ${PROJECT_VERSION}")
  set(CPACK_NSIS_DISPLAY_NAME "OOD Inspector")
  set(CPACK_NSIS_INSTALL_ROOT "$LOCALAPPDATA\\Programs")
  # CPack's template asks for administrator rights; a later RequestExecutionLevel wins. Without
  # them the installer's shell context stays "current user": shortcuts in the user's Start menu and
  # the uninstall entry under HKCU. For such a user the template proposes a folder under Documents;
  # the function, run before the first page, proposes %LOCALAPPDATA%\Programs instead (once, so a
  # folder the user chose stays chosen).
  set(CPACK_NSIS_DEFINES [[
  RequestExecutionLevel user
  Var OOD_DIR_PROPOSED
  !define MUI_PAGE_CUSTOMFUNCTION_PRE OodProposePerUserDir
  Function OodProposePerUserDir
    StrCmp $OOD_DIR_PROPOSED "1" done
    StrCpy $OOD_DIR_PROPOSED "1"
    StrCmp $IS_DEFAULT_INSTALLDIR "1" 0 done
    StrCpy $INSTDIR "$LOCALAPPDATA\Programs\OOD Inspector"
    done:
  FunctionEnd
]])
  set(CPACK_PACKAGE_EXECUTABLES "ood-inspector" "OOD Inspector")
  set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\ood-inspector.exe")
  set(CPACK_NSIS_MUI_ICON "${CMAKE_SOURCE_DIR}/resources/icons/${OOD_APP_ID}.ico")
  set(CPACK_NSIS_MUI_UNIICON "${CMAKE_SOURCE_DIR}/resources/icons/${OOD_APP_ID}.ico")
  set(CPACK_NSIS_MUI_FINISHPAGE_RUN "ood-inspector.exe")
  set(CPACK_NSIS_EXTRA_INSTALL_COMMANDS [[
  WriteRegStr HKCU "Software\Classes\.oodprofile" "" "OODInspector.Profile"
  WriteRegStr HKCU "Software\Classes\OODInspector.Profile" "" "OOD Inspector profile"
  WriteRegStr HKCU "Software\Classes\OODInspector.Profile\DefaultIcon" "" "$INSTDIR\bin\ood-inspector.exe,0"
  WriteRegStr HKCU "Software\Classes\OODInspector.Profile\shell\open\command" "" '"$INSTDIR\bin\ood-inspector.exe" "%1"'
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
]])
  set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS [[
  DeleteRegKey HKCU "Software\Classes\OODInspector.Profile"
  ReadRegStr $0 HKCU "Software\Classes\.oodprofile" ""
  StrCmp $0 "OODInspector.Profile" 0 +2
    DeleteRegKey HKCU "Software\Classes\.oodprofile"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
]])
endif()

include(CPack)

# Builds the .deb from this build tree, installs it with apt, runs both programs from the installed
# paths, validates the desktop integration and removes it again. It changes the machine's
# packages, so it runs as root only (CTest reports it skipped otherwise). Not in sanitizer builds
# (the asan preset): their programs are not what gets shipped, and they run differently from
# /usr/bin, without the sanitizer settings of the suite.
if(OOD_BUILD_TESTS AND UNIX AND NOT APPLE AND NOT CMAKE_CXX_FLAGS MATCHES "-fsanitize")
  add_test(NAME packaging_install
    COMMAND bash ${CMAKE_SOURCE_DIR}/packaging/test-package.sh ${CMAKE_BINARY_DIR})
  set_tests_properties(packaging_install PROPERTIES
    LABELS packaging TIMEOUT 1800 SKIP_RETURN_CODE 77 RESOURCE_LOCK system_packages)
endif()
