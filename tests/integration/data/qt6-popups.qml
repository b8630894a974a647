// qt6-popups.sh: a Qt 6 window whose popup is a window of its own (Qt 6.4's Controls
// draw ComboBox and Menu lists inside the window, so a Window with the Qt.Popup flag
// and a transient parent is what qtwayland turns into an xdg_popup). The popup is
// asked for at the window's right edge, wider than the room left on the output, so
// the positioner must move it. Both are solid colours for the pixel checks.
import QtQuick
import QtQuick.Controls

Window {
	id: main
	width: 400
	height: 300
	visible: true
	title: "qt6-popups"
	color: "#2040c0"

	Button {
		id: button
		x: 300; y: 20; width: 90; height: 40
		text: "Open"
		onClicked: menu.visible = true
	}

	Window {
		id: menu
		transientParent: main
		flags: Qt.Popup
		x: main.x + button.x
		y: main.y + button.y + button.height
		width: 300
		height: 200
		color: "#20c040"
		onVisibleChanged: console.log("popup visible " + visible)
	}
	Component.onCompleted: console.log("window ready")
}
