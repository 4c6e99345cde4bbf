include $(sort $(wildcard $(BR2_EXTERNAL_ECHOD_PATH)/package/*/*.mk))
